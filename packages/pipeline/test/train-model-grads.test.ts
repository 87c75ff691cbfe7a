import { describe, expect, it } from 'vitest';
import { type GradArray, type TokenBatch, TrainingPipeline } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Largest |a − b| over all tensors divided by the largest |b|. */
function relToLargest(a: Map<string, GradArray>, b: Map<string, GradArray>): number {
  let err = 0;
  let scale = 0;
  for (const [k, gb] of b) {
    const ga = a.get(k)!;
    for (let i = 0; i < gb.length; i++) err = Math.max(err, Math.abs(ga[i]! - gb[i]!));
    scale = Math.max(scale, maxAbs(gb));
  }
  return err / scale;
}

/** Mean next-token cross-entropy of HF float64 logits. */
function hfLoss(logits: number[][][], sequences: number[][]): number {
  let sum = 0;
  let n = 0;
  sequences.forEach((seq, s) => {
    for (let i = 0; i + 1 < seq.length; i++) {
      const row = logits[s]![i]!;
      const m = Math.max(...row);
      sum += m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) - row[seq[i + 1]!]!;
      n++;
    }
  });
  return sum / n;
}

describe.each(['gpt2', 'qwen2'] as const)('whole-model gradients: %s fixture', (name) => {
  const fx = loadFixture(name);
  const S = 16;
  const full: TokenBatch = { ids: fx.sequences.flat(), batch: 3, seq: S };
  // row 0 left-padded by 3, row 1 right-padded by 5, row 2 full
  const mask = new Uint8Array(3 * S).fill(1);
  mask.fill(0, 0, 3);
  mask.fill(0, S + 11, 2 * S);
  const padded: TokenBatch = { ids: fx.sequences.flat(), batch: 3, seq: S, mask };

  it('loss on ref equals cross-entropy of the HF reference logits', async () => {
    const p = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('ref'),
    });
    const { loss } = await p.gradients(fx.weights, full);
    expect(Math.abs(loss - hfLoss(fx.logits, fx.sequences))).toBeLessThan(1e-7);
  });

  it('ref gradients match finite differences of the ref loss (padded batch, 1e-6)', async () => {
    const p = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('ref'),
    });
    const { grads } = await p.gradients(fx.weights, padded);
    const weights = new Map(
      [...fx.weights].map(([k, w]) => [k, { shape: w.shape, data: Float32Array.from(w.data) }]),
    );
    const lossAt = async () => (await p.loss(weights, padded)).loss;
    for (const [k, g] of grads) {
      const d = weights.get(k)!.data;
      const scale = maxAbs(g);
      for (const i of [0, Math.floor(d.length / 3), d.length - 1]) {
        const x0 = d[i]!;
        // weights are float32: step to representable neighbours and divide by the actual step
        const central = async (h: number) => {
          const xp = Math.fround(x0 + h);
          const xm = Math.fround(x0 - h);
          d[i] = xp;
          const lp = await lossAt();
          d[i] = xm;
          const lm = await lossAt();
          d[i] = x0;
          return (lp - lm) / (xp - xm);
        };
        // Richardson extrapolation of two central differences: truncation error O(h⁴)
        const d1 = await central(2e-4);
        const d2 = await central(1e-4);
        const fd = d2 + (d2 - d1) / 3;
        expect(Math.abs(fd - g[i]!), `${k}[${i}]`).toBeLessThanOrEqual(1e-6 * scale + 1e-12);
      }
    }
  });

  it('ONNX Runtime cpu gradients equal the ref executor (≤ 1e-4 of the largest gradient)', async () => {
    const ref = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('ref'),
    });
    const cpu = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('cpu'),
    });
    for (const batch of [full, padded]) {
      const a = await cpu.gradients(fx.weights, batch);
      const b = await ref.gradients(fx.weights, batch);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
      expect(relToLargest(a.grads, b.grads)).toBeLessThanOrEqual(1e-4);
    }
    await cpu.dispose();
  });

  it('closed-form loss gradient equals reverse mode through the loss ops', async () => {
    const ref = createNodeBackend('ref');
    const fused = new TrainingPipeline({ config: fx.config, weights: fx.weights, backend: ref });
    const auto = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: ref,
      lossGradient: 'autodiff',
    });
    const a = await fused.gradients(fx.weights, padded);
    const b = await auto.gradients(fx.weights, padded);
    expect(relToLargest(a.grads, b.grads)).toBeLessThan(1e-12);
  });

  it('padding never reaches the loss: padded positions get no label', async () => {
    const p = new TrainingPipeline({
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('ref'),
    });
    const r = await p.gradients(fx.weights, padded);
    // 45 next-token positions, less 3 whose input or target is a left pad and 5 whose target is a right pad
    expect(r.targets).toBe(3 * (S - 1) - 3 - 5);
  });
});
