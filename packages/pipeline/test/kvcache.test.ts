import { describe, expect, it } from 'vitest';
import { StageChain } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture, maxAbsDiff } from './fixtures';

const row = (data: ArrayLike<number>, vocab: number, pos: number): number[] =>
  Array.from({ length: vocab }, (_, v) => data[pos * vocab + v]!);

describe.each(['gpt2', 'qwen2'] as const)('KV cache and stage splits: %s', (name) => {
  const fx = loadFixture(name);
  const V = fx.config.vocabSize;

  // Incremental decoding must equal one full-sequence pass (tolerance 1e-4, float32).
  it('prefix then one token at a time equals full recomputation', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const seq = fx.sequences[1]!;
    await chain.forward('inc', [seq.slice(0, 5)]);
    for (let t = 5; t < 16; t++) {
      const out = await chain.forward('inc', [[seq[t]!]], { pastLength: t });
      expect(out.shape).toEqual([1, 1, V]);
      expect(maxAbsDiff(out.data as Float32Array, fx.logits[1]![t]!)).toBeLessThanOrEqual(1e-4);
    }
    await chain.dispose();
  });

  // Left-padded rows of unequal length in one batch match each row run alone.
  it('batched sessions of unequal lengths (left padding + mask) match unbatched runs', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const a = fx.sequences[0]!.slice(0, 10);
    const b = fx.sequences[2]!.slice(0, 6);
    const pad = 10 - b.length;
    const ids = [a, [...new Array(pad).fill(0), ...b]];
    const mask = [a.map(() => 1), [...new Array(pad).fill(0), ...b.map(() => 1)]];
    const out = await chain.forward('batch', ids, { mask });
    const data = out.data as Float32Array;
    for (let t = 0; t < 10; t++)
      expect(maxAbsDiff(row(data, V, t), fx.logits[0]![t]!)).toBeLessThanOrEqual(1e-4);
    for (let t = 0; t < b.length; t++) {
      expect(maxAbsDiff(row(data, V, 10 + pad + t), fx.logits[2]![t]!)).toBeLessThanOrEqual(1e-4);
    }
    // continue decoding both rows one step; row b's next token sits at its own position
    const next = await chain.forward('batch', [[fx.sequences[0]![10]!], [fx.sequences[2]![6]!]], {
      pastLength: 10,
    });
    const nd = next.data as Float32Array;
    expect(maxAbsDiff(row(nd, V, 0), fx.logits[0]![10]!)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(row(nd, V, 1), fx.logits[2]![6]!)).toBeLessThanOrEqual(1e-4);
    await chain.dispose();
  });

  // Splitting into K stages (K = 1..numLayers) equals the single-stage model (tolerance 1e-5).
  it.each([1, 2])('%i stage(s) equal one stage, full pass and incremental', async (k) => {
    const one = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const split = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'), { stages: k });
    expect(split.stages).toHaveLength(k);
    const seq = fx.sequences[2]!;
    const full1 = await one.forward('a', [seq.slice(0, 8)]);
    const fullK = await split.forward('a', [seq.slice(0, 8)]);
    expect(maxAbsDiff(full1.data as Float32Array, fullK.data as Float32Array)).toBeLessThanOrEqual(1e-5);
    for (let t = 8; t < 16; t++) {
      const o1 = await one.forward('a', [[seq[t]!]], { pastLength: t });
      const oK = await split.forward('a', [[seq[t]!]], { pastLength: t });
      expect(maxAbsDiff(o1.data as Float32Array, oK.data as Float32Array)).toBeLessThanOrEqual(1e-5);
    }
    await one.dispose();
    await split.dispose();
  });
});
