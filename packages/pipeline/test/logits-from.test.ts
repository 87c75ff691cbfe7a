import { describe, expect, it } from 'vitest';
import { createRefBackend, StageChain } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('logits of the last position only', () => {
  for (const name of ['gpt2', 'qwen2'] as const) {
    const fx = loadFixture(name);
    const V = fx.config.vocabSize;
    const prompt = fx.sequences[0]!.slice(0, 6);

    it(`${name}: lastOnly returns the last row of the full logits, on 1 and 2 stages, ref and cpu`, async () => {
      for (const [backend, tol] of [
        [createRefBackend(), 1e-9],
        [createNodeBackend('cpu'), 1e-5],
      ] as const) {
        const full = await StageChain.create(fx.config, fx.weights, backend);
        const split = await StageChain.create(fx.config, fx.weights, backend, { stages: 2 });
        const all = await full.forward('a', [prompt]);
        expect(all.shape).toEqual([1, prompt.length, V]);
        const want = (all.data as Float32Array).subarray((prompt.length - 1) * V, prompt.length * V);
        for (const chain of [full, split]) {
          const last = await chain.forward('b', [prompt], { lastOnly: true });
          expect(last.shape).toEqual([1, 1, V]);
          expect(maxAbsDiff(last.data as Float32Array, want)).toBeLessThanOrEqual(tol);
          // the KV cache still holds every position: the next step matches a full run
          const next = await chain.forward('b', [[prompt[0]!]], {
            pastLength: prompt.length,
            lastOnly: true,
          });
          const ref = await full.forward('c', [[...prompt, prompt[0]!]]);
          const refLast = (ref.data as Float32Array).subarray(prompt.length * V);
          expect(maxAbsDiff(next.data as Float32Array, refLast)).toBeLessThanOrEqual(tol * 10);
        }
      }
    });
  }

  it('a stage refuses a logitsFrom outside the step', async () => {
    const fx = loadFixture('gpt2');
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const stage = chain.stages[0]!;
    const input = { type: 'int64' as const, shape: [1, 2], data: BigInt64Array.of(1n, 2n) };
    for (const logitsFrom of [2, -1, 0.5]) {
      await expect(stage.forward(`x${logitsFrom}`, { input, logitsFrom })).rejects.toMatchObject({
        code: 'bad_input',
      });
    }
    expect(stage.sessionCount).toBe(0);
  });
});
