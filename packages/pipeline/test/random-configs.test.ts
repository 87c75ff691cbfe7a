import { makeModelConfig, modelTensors } from '@ailo/virtual-tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Weight } from '../src/families/weights';
import { type ModelConfig, StageChain } from '../src/index';
import { createNodeBackend } from '../src/node';
import { maxAbsDiff } from './fixtures';

/** Deterministic random weights for every tensor a family needs. */
export function randomWeights(cfg: ModelConfig, seed: number, scale = 0.3): Map<string, Weight> {
  const specs = modelTensors(cfg);
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 2 ** 32 - 0.5) * 2;
  };
  const out = new Map<string, Weight>();
  for (const t of specs) {
    if (out.has(t.name)) continue;
    const n = t.shape.reduce((a, b) => a * b, 1);
    const isNorm = /ln_|norm/.test(t.name) && t.name.endsWith('weight');
    out.set(t.name, {
      shape: t.shape,
      data: Float32Array.from({ length: n }, () => (isNorm ? 1 + 0.1 * rnd() : scale * rnd())),
    });
  }
  return out;
}

// Random shapes (odd sizes, GQA ratios, 1–3 layers) — ONNX Runtime (float32) vs the
// float64 reference executor on the same weights; tolerance 1e-4 on |logit| ≲ 5.
describe('randomised configs: cpu matches ref', () => {
  it('llama/qwen2/gpt2 with odd sizes and GQA', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          arch: fc.constantFrom('gpt2', 'llama', 'qwen2'),
          kv: fc.integer({ min: 1, max: 3 }),
          group: fc.integer({ min: 1, max: 3 }),
          halfHd: fc.integer({ min: 1, max: 4 }),
          layers: fc.integer({ min: 1, max: 3 }),
          ffn: fc.integer({ min: 3, max: 17 }),
          vocab: fc.integer({ min: 5, max: 23 }),
          seq: fc.integer({ min: 1, max: 7 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        async (r) => {
          const H = r.kv * r.group;
          const hd = 2 * r.halfHd;
          const cfg: ModelConfig = makeModelConfig({
            architecture: r.arch as ModelConfig['architecture'],
            vocabSize: r.vocab,
            hiddenSize: H * hd,
            numLayers: r.layers,
            numHeads: H,
            numKvHeads: r.arch === 'gpt2' ? H : r.kv,
            headDim: hd,
            intermediateSize: r.ffn,
            maxPositions: 16,
            normEps: 1e-5,
            ropeTheta: 10000,
            tieWordEmbeddings: r.seed % 2 === 0 || r.arch === 'gpt2',
            attentionBias: r.arch !== 'llama' || r.seed % 3 === 0,
          });
          const w = randomWeights(cfg, r.seed);
          const ids = [Array.from({ length: r.seq }, (_, i) => (i * 7 + r.seed) % r.vocab)];
          const ref = await StageChain.create(cfg, w, createNodeBackend('ref'), { stages: r.layers });
          const cpu = await StageChain.create(cfg, w, createNodeBackend('cpu'));
          const a = await ref.forward('s', ids);
          const b = await cpu.forward('s', ids);
          expect(maxAbsDiff(a.data as Float64Array, b.data as Float32Array)).toBeLessThanOrEqual(1e-4);
          await cpu.dispose();
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });
});
