import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { evenSpans, GraphBuilder, type HostTensor, type LayerSpan, Stage } from '@ailo/pipeline';
import { createNodeBackend, loadModel } from '@ailo/pipeline/node';
import {
  encodeSafetensorsHeader,
  type ModelConfig,
  makeModelConfig,
  modelTensors,
  presetConfig,
} from '@ailo/virtual-tensor';
import { packModel } from '@ailo/virtual-tensor/node';
import type { BenchModule, Figure } from '../types';

const THREADS = 2;
const STAGES = 4;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident set size after a full collection (twice: finalizers free external buffers). bytes */
function settledRss(): number {
  gc();
  gc();
  return process.memoryUsage.rss();
}

/**
 * Writes random fp32 weights for `cfg` as one safetensors file, tensor by
 * tensor (memory: the largest tensor), norms at 1 and everything else
 * uniform in ±0.02 from a fixed-seed xorshift.
 */
async function writeRandomCheckpoint(cfg: ModelConfig, path: string): Promise<number> {
  const specs = modelTensors(cfg);
  const header = encodeSafetensorsHeader(
    specs.map(
      (t) =>
        [
          t.name,
          { dtype: 'f32', shape: t.shape, byteLength: 4 * t.shape.reduce((a, b) => a * b, 1) },
        ] as const,
    ),
  );
  const fh = await open(path, 'w');
  let s = 0x9e3779b9;
  let bytes = header.length;
  try {
    await fh.write(header);
    for (const t of specs) {
      const data = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
      if (/(ln_|norm).*weight$/.test(t.name)) data.fill(1);
      else {
        for (let i = 0; i < data.length; i++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          data[i] = ((s >>> 0) / 2 ** 32 - 0.5) * 0.04;
        }
      }
      await fh.write(new Uint8Array(data.buffer));
      bytes += data.byteLength;
    }
  } finally {
    await fh.close();
  }
  return bytes;
}

/** Compiles and drops a tiny graph so ONNX Runtime's own start-up memory is not charged to stage 0. */
async function warmUpRuntime(): Promise<void> {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 8]);
  b.output(b.matmul(x, b.param('w', [8, 8], new Float32Array(64).fill(0.1))), 'y', 'float32', [1, 8]);
  const g = await createNodeBackend('cpu', { threads: THREADS }).compile(b.graph);
  await g.run({ x: { type: 'float32', shape: [1, 8], data: new Float32Array(8).fill(1) } });
  await g.dispose();
}

/** KV cache bytes of `layers` layers holding `tokens` positions (fp32 keys and values). */
function kvBytes(cfg: ModelConfig, layers: number, tokens: number): number {
  return 2 * layers * tokens * cfg.numKvHeads * cfg.headDim * 4;
}

/** Runs new token ids of a session through the stages in order; returns the logits. */
async function step(
  stages: Stage[],
  session: string,
  ids: number[],
  pastLength: number,
): Promise<HostTensor> {
  let x: HostTensor = { type: 'int64', shape: [1, ids.length], data: BigInt64Array.from(ids.map(BigInt)) };
  for (const s of stages) x = await s.forward(session, { input: x, pastLength });
  return x;
}

/** Decode tokens/s over `steps` one-token steps after a `prompt`-token prefill, once per rep. */
async function decodeTokensPerSecond(
  stages: Stage[],
  prompt: number,
  steps: number,
  reps: number,
): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const id = `bench-${r}`;
    await step(
      stages,
      id,
      Array.from({ length: prompt }, (_, i) => (i * 31) % 1000),
      0,
    );
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await step(stages, id, [(i * 7) % 1000], prompt + i);
    out.push(steps / ((performance.now() - t0) / 1000));
    for (const s of stages) s.close(id);
  }
  return out;
}

/** Loads each span from the packed directory and compiles it, measuring the RSS each stage adds. */
async function loadStages(dir: string, spans: LayerSpan[]) {
  const backend = createNodeBackend('cpu', { threads: THREADS });
  const stages: Stage[] = [];
  const rss: number[] = [];
  const weights: number[] = [];
  for (const span of spans) {
    const before = settledRss();
    let m: Awaited<ReturnType<typeof loadModel>> | undefined = await loadModel(dir, { span });
    weights.push([...m.weights.values()].reduce((a, w) => a + w.data.byteLength, 0));
    stages.push(await Stage.create(m.config, m.weights, span, backend));
    m = undefined;
    rss.push(settledRss() - before);
  }
  return { stages, rss, weights };
}

const bench: BenchModule = {
  name: 'ailo840m',
  description:
    'ailo-840m (24 × 1600, 3.3 GB fp32, random weights) packed into 35 chunks, run as a 4-stage in-process pipeline: resident memory per stage and decode tokens/s',
  async run(ctx) {
    const small = ctx.smoke;
    const cfg = small
      ? makeModelConfig({
          architecture: 'gpt2',
          numLayers: 4,
          hiddenSize: 64,
          numHeads: 4,
          vocabSize: 1000,
          maxPositions: 128,
        })
      : presetConfig('ailo-840m')!;
    const prompt = small ? 8 : 32;
    const steps = small ? 4 : 16;
    const reps = small ? 1 : 5;
    const root = mkdtempSync(join(tmpdir(), 'ailo-840m-'));
    try {
      const ckpt = join(root, 'model.safetensors');
      let t0 = performance.now();
      const ckptBytes = await writeRandomCheckpoint(cfg, ckpt);
      ctx.log(
        `random checkpoint: ${(ckptBytes / 1e9).toFixed(2)} GB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const dir = join(root, 'packed');
      t0 = performance.now();
      const { manifest } = await packModel({
        input: ckpt,
        out: dir,
        config: cfg,
        ...(small ? { chunks: 5 } : {}),
      });
      rmSync(ckpt);
      ctx.log(
        `packed into ${manifest.chunks.length} chunks (${(manifest.totalBytes / 1e9).toFixed(2)} GB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      if (!small && manifest.chunks.length !== 35)
        throw new Error(`expected 35 chunks, got ${manifest.chunks.length}`);

      // 4 stages, loaded one after the other: RSS added by each (weights in ONNX Runtime after the JS copies are freed)
      const spans = evenSpans(cfg.numLayers, STAGES);
      await warmUpRuntime();
      const base = settledRss();
      t0 = performance.now();
      const four = await loadStages(dir, spans);
      ctx.log(`4 stages loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const tokens = prompt + steps;
      const fourTps = await decodeTokensPerSecond(four.stages, prompt, steps, reps);
      // one more session left open so its KV cache is resident while measuring
      await step(
        four.stages,
        'kv',
        Array.from({ length: tokens }, (_, i) => i % 1000),
        0,
      );
      const totalRss = settledRss() - base;
      const totalRef = four.weights.reduce((a, b) => a + b, 0) + kvBytes(cfg, cfg.numLayers, tokens);
      for (const s of four.stages) await s.dispose();

      // peer: the same packed model in a single stage
      const one = await loadStages(dir, [{ start: 0, end: cfg.numLayers }]);
      const oneTps = await decodeTokensPerSecond(one.stages, prompt, steps, reps);
      for (const s of one.stages) await s.dispose();

      const figures: Figure[] = spans.map((span, i) => {
        const ref = four.weights[i]! + kvBytes(cfg, span.end - span.start, tokens);
        ctx.log(
          `stage ${i} layers ${span.start}–${span.end - 1}: RSS +${(four.rss[i]! / 1e6).toFixed(0)} MB, ` +
            `weights ${(four.weights[i]! / 1e6).toFixed(0)} MB → ${(four.rss[i]! / ref).toFixed(3)}×`,
        );
        return {
          name: `stage ${i} (layers ${span.start}–${span.end - 1}) resident MB when loaded (peer: its weight + KV-cache bytes)`,
          unit: 'MB',
          higherIsBetter: false,
          samples: [four.rss[i]! / 1e6],
          peer: { name: `weights + KV cache at ${tokens} tokens (computed)`, samples: [ref / 1e6] },
          goal: '<= 1.2x peer',
          goalRatio: 1 / 1.2,
        };
      });
      figures.push(
        {
          name: `4 stages resident MB after decoding, ${tokens}-token KV cache held (peer: all weight + KV bytes)`,
          unit: 'MB',
          higherIsBetter: false,
          samples: [totalRss / 1e6],
          peer: { name: 'weights + KV cache (computed)', samples: [totalRef / 1e6] },
          goal: '<= 1.2x peer',
          goalRatio: 1 / 1.2,
        },
        {
          name: 'decode tokens/s, 4 stages in-process (peer: 1 stage, same weights)',
          unit: 'tok/s',
          higherIsBetter: true,
          samples: fourTps,
          peer: { name: '1 stage', samples: oneTps },
          goal: '>= 0.95x peer',
          goalRatio: 0.95,
        },
      );
      return figures;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
