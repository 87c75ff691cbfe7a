import { describe, expect, it } from 'vitest';
import { type SamplingOptions, sampleToken, seededRandom } from '../src/index';
import { referenceSample } from './referenceSampler';

const OPTIONS: SamplingOptions[] = [
  { greedy: true },
  {},
  { temperature: 0.7 },
  { temperature: 3 },
  { topK: 1 },
  { topK: 5, temperature: 0.8 },
  { topK: 40 },
  { topP: 0.9 },
  { topP: 0.5, temperature: 1.3 },
  { topK: 50, topP: 0.95, temperature: 0.9 },
  { topP: 0.999 },
  { repetitionPenalty: 1.3, temperature: 0.8 },
  { repetitionPenalty: 1.2, topK: 20, topP: 0.9 },
];

/** Logits of `kind`: smooth (distinct values), tied (few distinct values), masked (some −∞, never the last). */
function logitsOf(kind: 'smooth' | 'tied' | 'masked', V: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: V }, (_, i) => {
    if (kind === 'tied') return Math.floor(r() * 4);
    if (kind === 'masked' && i < V - 1 && r() < 0.3) return Number.NEGATIVE_INFINITY;
    return (r() - 0.5) * 12;
  });
}

describe('sampleToken against the sorting reference', () => {
  for (const kind of ['smooth', 'tied', 'masked'] as const) {
    for (const V of [1, 2, 7, 100, 3000]) {
      it(`${kind} logits, V = ${V}: every option draws the same tokens from the same seed`, () => {
        const history = [0, 3, 5, V - 1].filter((id) => id >= 0);
        for (const o of OPTIONS) {
          const logits = logitsOf(kind, V, V * 31 + OPTIONS.indexOf(o));
          const a = seededRandom(11);
          const b = seededRandom(11);
          const draws = V >= 3000 ? 150 : 400;
          for (let i = 0; i < draws; i++) {
            expect(sampleToken(logits, o, history, a), JSON.stringify(o)).toBe(
              referenceSample(logits, o, history, b),
            );
          }
        }
      });
    }
  }

  it('a GPT-2-sized vocabulary (50257) draws the same tokens', () => {
    const logits = logitsOf('smooth', 50257, 5);
    for (const o of [{}, { topP: 0.9, temperature: 0.8 }, { topK: 40, temperature: 0.7 }]) {
      const a = seededRandom(3);
      const b = seededRandom(3);
      for (let i = 0; i < 20; i++)
        expect(sampleToken(logits, o, [], a)).toBe(referenceSample(logits, o, [], b));
    }
  });

  it('rejects logits it cannot sample from, with a typed error', () => {
    const code = (l: ArrayLike<number>, o: SamplingOptions = {}) => {
      try {
        sampleToken(l, o, [], Math.random);
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    expect(code([1, Number.NaN, 2])).toBe('non_finite');
    expect(code([1, Number.NaN, 2], { greedy: true })).toBe('non_finite');
    expect(code([1, Number.POSITIVE_INFINITY])).toBe('non_finite');
    expect(code([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe('non_finite');
    expect(code([])).toBe('bad_input');
    expect(code([Number.NEGATIVE_INFINITY, 0])).toBe('no error');
  });
});
