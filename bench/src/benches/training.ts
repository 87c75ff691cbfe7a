import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { initializeWeights, LocalTrainer, type TokenBatch } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import { makeModelConfig } from '@ailo/virtual-tensor';
import type { BenchModule, Figure } from '../types';

// DESIGN.md "Numbers we aim at": tiny GPT-2, 4 layers, d 128, vocab 50257, batch 8 × 128.
const FULL = { layers: 4, d: 128, heads: 4, vocab: 50257, batch: 8, seq: 128 };
/** smoke runs only check that the benchmark still works */
const SMOKE = { layers: 1, d: 32, heads: 2, vocab: 512, batch: 2, seq: 16 };
let SHAPE = FULL;
const THREADS = Math.min(2, availableParallelism());

/** Our trainer: one optimizer step (forward, backward, clipping, AdamW) per sample. */
async function ours(
  warmup: number,
  steps: number,
): Promise<{ samples: number[]; peakRssMB: number; baseRssMB: number }> {
  const config = makeModelConfig({
    architecture: 'gpt2',
    numLayers: SHAPE.layers,
    hiddenSize: SHAPE.d,
    numHeads: SHAPE.heads,
    vocabSize: SHAPE.vocab,
    maxPositions: SHAPE.seq,
  });
  const { batch, seq } = SHAPE;
  const ids = Int32Array.from({ length: batch * seq }, (_, i) => (i * 7919 + 13) % SHAPE.vocab);
  const b: TokenBatch = { ids, batch, seq };
  const baseRssMB = process.memoryUsage().rss / 2 ** 20;
  let peak = baseRssMB;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20);
  };
  const timer = setInterval(sample, 10);
  const trainer = new LocalTrainer({
    config,
    weights: initializeWeights(config, 1),
    backend: createNodeBackend('cpu', { threads: THREADS }),
    optimizer: { lr: 1e-3, weightDecay: 0.01, maxGradNorm: 1 },
  });
  try {
    for (let i = 0; i < warmup; i++) await trainer.step([b]);
    const samples: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainer.step([b]);
      samples.push((batch * seq) / ((performance.now() - t0) / 1000));
      sample();
    }
    return { samples, peakRssMB: peak, baseRssMB };
  } finally {
    clearInterval(timer);
    await trainer.dispose();
  }
}

/** The PyTorch peer in a child process, or why it cannot run. */
function torchPeer(
  warmup: number,
  steps: number,
): { samples: number[]; peakRssMB: number; version: string } | { skipped: string } {
  const script = join(import.meta.dirname, 'training_torch.py');
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const python = candidates.find(
    (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
  if (!python)
    return {
      skipped: 'PyTorch not installed (`python3 -c "import torch"` failed; apt-get install python3-torch)',
    };
  const arg = JSON.stringify({ ...SHAPE, threads: THREADS, warmup, steps });
  const r = spawnSync(python, [script, arg], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { skipped: `PyTorch peer failed: ${r.stderr.trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    samples: number[];
    peakRssMB: number;
    torch: string;
  };
  return { samples: out.samples, peakRssMB: out.peakRssMB, version: out.torch };
}

const bench: BenchModule = {
  name: 'training',
  description: `training tokens/s of a tiny GPT-2 (${SHAPE.layers} layers, d ${SHAPE.d}, vocab ${SHAPE.vocab}, batch ${SHAPE.batch} × ${SHAPE.seq}), ${THREADS} threads, vs PyTorch CPU`,
  async run(ctx) {
    SHAPE = ctx.smoke ? SMOKE : FULL;
    const warmup = ctx.smoke ? 1 : 2;
    const steps = ctx.smoke ? 1 : 6;
    ctx.log(`training: ours, ${warmup} warmup + ${steps} steps`);
    const a = await ours(warmup, steps);
    ctx.log(`training: PyTorch peer`);
    const p = torchPeer(warmup, steps);
    const name = `train step tokens/s, GPT-2 ${SHAPE.layers}L d${SHAPE.d} V${SHAPE.vocab}, batch ${SHAPE.batch}×${SHAPE.seq}`;
    const speed: Figure = {
      name,
      unit: 'tok/s',
      higherIsBetter: true,
      samples: a.samples,
      peer:
        'skipped' in p ? p : { name: `PyTorch ${p.version} CPU (${THREADS} threads)`, samples: p.samples },
      goal: '>= 0.5x PyTorch',
      goalRatio: 0.5,
    };
    const memory: Figure = {
      name: `peak RSS while training (${name})`,
      unit: 'MB',
      higherIsBetter: false,
      samples: [a.peakRssMB],
      peer: 'skipped' in p ? p : { name: `PyTorch ${p.version} CPU peak RSS`, samples: [p.peakRssMB] },
    };
    ctx.log(
      `training: ours peak RSS ${a.peakRssMB.toFixed(0)} MB (process before: ${a.baseRssMB.toFixed(0)} MB)`,
    );
    return [speed, memory];
  },
};

export default bench;
