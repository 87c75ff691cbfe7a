import { describe, expect, test } from 'vitest';
import { ConformanceError, codecVectorsSuite, runSuites, suitesFor, VECTOR_FILES } from '../src/index';
import { loadReferenceLogits } from '../src/node';
import type { ConformanceContext } from '../src/types';

const ctx = {} as ConformanceContext;

describe('runSuites', () => {
  test('classifies pass, violation, not_exposed and unexpected errors', async () => {
    const results = await runSuites(
      [
        {
          name: 't',
          cases: [
            { id: 'a', clause: 'x §1', title: 'passes', run: async () => {} },
            {
              id: 'b',
              clause: 'x §2',
              title: 'violates',
              run: async () => {
                throw new ConformanceError('violation', 'broke §2');
              },
            },
            {
              id: 'c',
              clause: 'x §3',
              title: 'skips',
              run: async () => {
                throw new ConformanceError('not_exposed', 'no ledger');
              },
            },
            {
              id: 'd',
              clause: 'x §4',
              title: 'crashes',
              run: async () => {
                throw new TypeError('boom');
              },
            },
          ],
        },
      ],
      ctx,
      { only: ['a', 'b', 'c', 'd'] },
    );
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'pass'],
      ['b', 'fail'],
      ['c', 'skip'],
      ['d', 'fail'],
    ]);
    expect(results[1]!.message).toBe('broke §2');
    expect(results[3]!.message).toContain('boom');
  });

  test('case ids are unique and every case names a spec clause', () => {
    const all = [...suitesFor('coordinator'), ...suitesFor('worker')].flatMap((s) => s.cases);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    for (const c of all) expect(c.clause, c.id).toMatch(/^[a-z-]+\.md §\d+(\.\d+)?$/);
  });

  test('codecVectorsSuite: the reference codec passes every protocol vector; a broken codec fails', async () => {
    const total = Object.values(VECTOR_FILES).reduce((n, f) => n + f.vectors.length, 0);
    const good = await runSuites([codecVectorsSuite()], ctx);
    expect(good).toHaveLength(total);
    expect(good.filter((r) => r.status !== 'pass')).toEqual([]);
    const lax = await runSuites(
      [
        codecVectorsSuite({
          decode: () => ({ v: 1, t: 'ping', id: 1, body: { ts: 1 } }),
          encode: () => new Uint8Array(),
        }),
      ],
      ctx,
    );
    expect(lax.every((r) => r.status === 'fail')).toBe(true);
  });

  test('loadReferenceLogits refuses a directory without fixtures', () => {
    expect(() => loadReferenceLogits('/nonexistent')).toThrow(
      expect.objectContaining({ code: 'bad_options' }),
    );
  });
});
