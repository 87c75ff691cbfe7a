import { describe, expect, it } from 'vitest';
import { quantizeInt8, StageChain } from '../src/index';
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
});
