import { makeModelConfig } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { buildStageGraph, initializeWeights, quantizeInt8, StageChain } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture, maxAbsDiff } from './fixtures';

describe('int8 weights (MatMulNBits)', () => {
  it('quantisation error per weight is at most half a step (scale/2)', () => {
    const w = Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5)));
    const q = quantizeInt8(w, [40, 3], 'in_out', 16);
    expect(q.data).toHaveLength(3 * 3 * 16);
    for (let k = 0; k < 40; k++) {
      for (let n = 0; n < 3; n++) {
        const blk = Math.floor(k / 16);
        const scale = q.scales[n * 3 + blk]!;
        const deq = (q.data[(n * 3 + blk) * 16 + (k % 16)]! - 128) * scale;
        expect(Math.abs(deq - w[k * 3 + n]!)).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
    }
  });

  // ONNX Runtime's MatMulNBits kernel must agree with the reference dequantise-then-MatMul (1e-4),
  // and int8 logits stay close to f32 logits on the fixtures (|logit| ≤ 3.4 here).
  it.each(['gpt2', 'qwen2'] as const)('%s: cpu int8 equals ref int8, and stays near f32', async (name) => {
    const fx = loadFixture(name);
    const ids = [fx.sequences[0]!];
    const f32 = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const cpu8 = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'), {
      weightFormat: 'int8',
    });
    const ref8 = await StageChain.create(fx.config, fx.weights, createNodeBackend('ref'), {
      weightFormat: 'int8',
      stages: 2,
    });
    const a = (await cpu8.forward('s', ids)).data as Float32Array;
    const r = (await ref8.forward('s', ids)).data as Float64Array;
    const f = (await f32.forward('s', ids)).data as Float32Array;
    expect(maxAbsDiff(a, r)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(a, f)).toBeLessThanOrEqual(0.05);
    expect(maxAbsDiff(a, f)).toBeGreaterThan(0); // really quantised
  });

  // What the runtime holds: the initializer bytes handed to ONNX Runtime. Each projection goes
  // from 4 bytes per weight to 1 byte plus one float32 scale per block of 32 (1.125 bytes);
  // embeddings, norms and biases stay f32 (a tied LM head adds its own int8 copy).
  it('int8 projections take a quarter of their f32 bytes, plus 1/32 for scales', () => {
    const config = makeModelConfig({
      architecture: 'gpt2',
      numLayers: 2,
      hiddenSize: 128,
      numHeads: 4,
      vocabSize: 256,
      maxPositions: 64,
    });
    const weights = initializeWeights(config, 1);
    const span = { start: 0, end: 2 };
    const f32 = buildStageGraph(config, weights, span).graph.initializers;
    const int8 = buildStageGraph(config, weights, span, { weightFormat: 'int8' }).graph.initializers;
    const total = (m: Map<string, { data: { byteLength: number } }>) =>
      [...m.values()].reduce((s, i) => s + i.data.byteLength, 0);
    const projections = [...f32.values()].filter((i) => /\.(c_attn|c_proj|c_fc)\.weight$/.test(i.name));
    expect(projections).toHaveLength(8);
    let f32Bytes = 0;
    for (const p of projections) {
      const q = int8.get(`${p.name}.q8`);
      expect(q?.type).toBe('uint8');
      expect(q!.data.byteLength).toBe(p.data.byteLength / 4);
      expect(int8.has(p.name)).toBe(false);
      f32Bytes += p.data.byteLength;
    }
    const head = int8.get('transformer.wte.weight.q8')!.data.byteLength;
    const saved = total(f32) - (total(int8) - head - head / 8);
    // saved = f32 − (int8 + scales) = (1 − 1/4 − 1/32) of the projection bytes
    expect(saved).toBe(f32Bytes * (1 - 1 / 4 - 1 / 32));
  });
});
