import { describe, expect, it } from 'vitest';
import { formatTable, median, summarize } from '../src/summarize';

describe('bench summaries', () => {
  it('computes the median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('takes the ratio in the direction of better and checks the goal', () => {
    const faster = summarize({
      name: 'rtt',
      unit: 'ms',
      higherIsBetter: false,
      samples: [1.1, 1.2, 1.3],
      peer: { name: 'raw', samples: [1, 1, 1] },
      goal: '<= 1.2x raw',
      goalRatio: 1 / 1.2,
    });
    expect(faster.ratio).toBeCloseTo(1 / 1.2);
    expect(faster.pass).toBe(true);
    const slow = summarize({
      name: 'codec',
      unit: 'GB/s',
      higherIsBetter: true,
      samples: [2, 4, 3],
      peer: { name: 'copy', samples: [10] },
      goalRatio: 0.5,
    });
    expect([slow.min, slow.median, slow.max, slow.ratio, slow.pass]).toEqual([2, 3, 4, 0.3, false]);
  });

  it('keeps skipped peers without a ratio', () => {
    const f = summarize({
      name: 'x',
      unit: 's',
      higherIsBetter: true,
      samples: [1],
      peer: { skipped: 'no python' },
    });
    expect(f.ratio).toBeUndefined();
    expect(formatTable([{ bench: 'b', figure: f }])).toContain('skipped: no python');
  });

  it('rejects empty or non-finite samples', () => {
    expect(() => summarize({ name: 'x', unit: 's', higherIsBetter: true, samples: [] })).toThrow();
    expect(() => summarize({ name: 'x', unit: 's', higherIsBetter: true, samples: [Number.NaN] })).toThrow();
  });
});
