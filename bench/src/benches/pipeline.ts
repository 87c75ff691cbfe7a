import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GraphBuilder as GB, GraphBuilder, generateAll, StageChain, type Weight } from '@ailo/pipeline';
import { createNodeBackend, exportTransformersJs } from '@ailo/pipeline/node';
import { type ModelConfig, makeModelConfig, modelTensors } from '@ailo/virtual-tensor';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import type { BenchModule, Figure } from '../types';

const THREADS = 2;

function randomWeights(cfg: ModelConfig): Map<string, Weight> {
  let s = 12345;
  const out = new Map<string, Weight>();
  for (const t of modelTensors(cfg)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 0.04;
    }
    if (/ln_|norm/.test(t.name) && t.name.endsWith('weight')) data.fill(1);
    out.set(t.name, { shape: t.shape, data });
  }
  return out;
}

async function decodeMsPerToken(chain: StageChain, steps: number, prompt = 32): Promise<number> {
  const id = `bench-${Math.random()}`;
  await chain.forward(id, [Array.from({ length: prompt }, (_, i) => (i * 31) % 500)]);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await chain.forward(id, [[(i * 7) % 500]], { pastLength: prompt + i });
  const dt = (performance.now() - t0) / steps;
  await chain.close(id);
  return dt;
}

/** 1024³ fp32 MatMul on the same runtime: the compute roofline prefill is compared against. */
async function matmulGflops(reps: number): Promise<number[]> {
  const n = 1024;
  const b: GB = new GraphBuilder();
  const x = b.input('x', 'float32', [n, n]);
  const w = b.param('w', [n, n], new Float32Array(n * n).fill(0.001));
  b.output(b.matmul(x, w), 'y', 'float32', [n, n]);
  const compiled = await createNodeBackend('cpu', { threads: THREADS }).compile(b.graph);
  const feeds = { x: { type: 'float32' as const, shape: [n, n], data: new Float32Array(n * n).fill(1) } };
  await compiled.run(feeds);
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await compiled.run(feeds);
    out.push((2 * n ** 3) / ((performance.now() - t0) / 1000) / 1e9);
  }
  await compiled.dispose();
  return out;
}

/** Times `run` after timing `prompt` alone: ms per decoded token of a generate() of `steps` tokens. */
async function decodeMsOf(prompt: () => Promise<unknown>, run: () => Promise<unknown>, steps: number) {
  const t0 = performance.now();
  await prompt();
  const promptMs = performance.now() - t0;
  const t1 = performance.now();
  await run();
  // generate() = one prompt forward + (steps − 1) one-token forwards
  return (performance.now() - t1 - promptMs) / (steps - 1);
}

/**
 * Solo generation and prefill, ours vs Transformers.js (onnxruntime-node, same version) on our
 * export of the same weights. The two sides alternate within each repetition and are timed the
 * same way, so a load change on a shared machine hits both.
 */
async function versusTransformersJs(
  chain: StageChain,
  cfg: ModelConfig,
  weights: Map<string, Weight>,
  o: { prompt: number[]; steps: number; reps: number; prefillLen: number },
) {
  const root = mkdtempSync(join(tmpdir(), 'ailo-bench-tjs-'));
  try {
    exportTransformersJs(cfg, weights, join(root, 'model'));
    env.allowRemoteModels = false;
    env.localModelPath = root;
    const model = await AutoModelForCausalLM.from_pretrained('model', {
      local_files_only: true,
      dtype: 'fp32',
      session_options: { intraOpNumThreads: THREADS },
    });
    const ids = (xs: number[]) => new Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [1, xs.length]);
    const ones = (n: number) => new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
    const tjsForward = (xs: number[]) => model({ input_ids: ids(xs), attention_mask: ones(xs.length) });
    // lastOnly: the head only for the last position, as generate() runs a prompt
    const oursForward = async (xs: number[], lastOnly = false) => {
      await chain.forward('bench-forward', [xs], { lastOnly });
      await chain.close('bench-forward');
    };
    const p = Array.from({ length: o.prefillLen }, (_, i) => i % 500);
    const out = {
      oursDecode: [] as number[],
      peerDecode: [] as number[],
      oursPrefill: [] as number[],
      oursPrefillLast: [] as number[],
      peerPrefill: [] as number[],
    };
    // warm-up: first runs of each shape pay for allocation planning
    await oursForward(p);
    await oursForward(p, true);
    await tjsForward(p);
    for (let r = 0; r < o.reps; r++) {
      let t0 = performance.now();
      await oursForward(p);
      out.oursPrefill.push(o.prefillLen / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      await oursForward(p, true);
      out.oursPrefillLast.push(o.prefillLen / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      await tjsForward(p);
      out.peerPrefill.push(o.prefillLen / ((performance.now() - t0) / 1000));
      out.oursDecode.push(
        await decodeMsOf(
          () => oursForward(o.prompt, true),
          () => generateAll(chain, o.prompt, { greedy: true, maxTokens: o.steps, stopOnEos: false }),
          o.steps,
        ),
      );
      out.peerDecode.push(
        await decodeMsOf(
          () => tjsForward(o.prompt),
          () =>
            model.generate({
              input_ids: ids(o.prompt),
              max_new_tokens: o.steps,
              min_new_tokens: o.steps,
              do_sample: false,
            }),
          o.steps,
        ),
      );
    }
    await model.dispose();
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const bench: BenchModule = {
  name: 'pipeline',
  description: 'GPT-2-124M-shaped decode/prefill on onnxruntime-node CPU; 4-stage vs 1-stage chain',
  async run(ctx) {
    const small = ctx.smoke;
    const cfg = small
      ? makeModelConfig({
          architecture: 'gpt2',
          numLayers: 4,
          hiddenSize: 64,
          numHeads: 4,
          vocabSize: 512,
          maxPositions: 256,
        })
      : makeModelConfig({
          architecture: 'gpt2',
          numLayers: 12,
          hiddenSize: 768,
          numHeads: 12,
          vocabSize: 50257,
          maxPositions: 1024,
        });
    const reps = small ? 1 : 5;
    const steps = small ? 4 : 32;
    ctx.log(`building ${small ? 'tiny' : 'GPT-2-124M-shaped'} model`);
    const weights = randomWeights(cfg);
    const weightBytes =
      [...weights.values()].reduce((a, w) => a + w.data.byteLength, 0) - (cfg.tieWordEmbeddings ? 0 : 0);
    const backend = createNodeBackend('cpu', { threads: THREADS });
    const one = await StageChain.create(cfg, weights, backend);
    const four = await StageChain.create(cfg, weights, backend, { stages: 4 });
    const int8 = await StageChain.create(cfg, weights, backend, { weightFormat: 'int8' });
    const oneMs: number[] = [];
    const fourMs: number[] = [];
    const int8Ms: number[] = [];
    for (let r = 0; r < reps; r++) {
      oneMs.push(await decodeMsPerToken(one, steps));
      fourMs.push(await decodeMsPerToken(four, steps));
      int8Ms.push(await decodeMsPerToken(int8, steps));
    }
    await int8.dispose();
    // memory roofline: one pass over every weight byte (what a batch-1 decode step must read)
    const src = Buffer.alloc(weightBytes, 1);
    const dst = Buffer.alloc(weightBytes);
    const copyMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      src.copy(dst);
      copyMs.push(performance.now() - t0);
    }
    const prefillLen = small ? 16 : 128;
    const prompt = Array.from({ length: 32 }, (_, i) => (i * 31) % 500);
    const vs = await versusTransformersJs(one, cfg, weights, { prompt, steps, reps, prefillLen });
    const params = weightBytes / 4;
    const prefillGflops = vs.oursPrefill.map((tps) => (2 * params * tps) / 1e9);
    await one.dispose();
    await four.dispose();
    const figures: Figure[] = [
      {
        name: 'solo decode ms/token, generate() greedy (peer: Transformers.js on our export)',
        unit: 'ms',
        higherIsBetter: false,
        samples: vs.oursDecode,
        peer: { name: '@huggingface/transformers generate()', samples: vs.peerDecode },
        goal: '>= 1.0x peer speed',
        goalRatio: 1,
      },
      {
        name: `prefill ${prefillLen} tokens/s (peer: Transformers.js)`,
        unit: 'tok/s',
        higherIsBetter: true,
        samples: vs.oursPrefill,
        peer: { name: '@huggingface/transformers forward', samples: vs.peerPrefill },
        goal: '>= 1.0x peer',
        goalRatio: 1,
      },
      {
        name: `prefill ${prefillLen} tokens/s for generation: logits of the last position only (peer: Transformers.js forward, every position)`,
        unit: 'tok/s',
        higherIsBetter: true,
        samples: vs.oursPrefillLast,
        peer: { name: '@huggingface/transformers forward', samples: vs.peerPrefill },
        goal: '>= 1.0x peer',
        goalRatio: 1,
      },
      {
        name: 'decode ms/token, 4 stages in-process (peer: 1 stage)',
        unit: 'ms',
        higherIsBetter: false,
        samples: fourMs,
        peer: { name: '1 stage', samples: oneMs },
        goal: '<= 1.05x of 1 stage',
        goalRatio: 1 / 1.05,
      },
      {
        name: 'decode ms/token, int8 weights (peer: f32 weights)',
        unit: 'ms',
        higherIsBetter: false,
        samples: int8Ms,
        peer: { name: 'f32', samples: oneMs },
        goal: '<= 0.6x of f32',
        goalRatio: 1 / 0.6,
      },
      {
        name: 'decode ms/token, 1 stage (peer: memcpy of all weight bytes)',
        unit: 'ms',
        higherIsBetter: false,
        samples: oneMs,
        peer: { name: `Buffer.copy ${(weightBytes / 2 ** 20).toFixed(0)} MiB`, samples: copyMs },
      },
      {
        name: `prefill ${prefillLen} tokens, GFLOP/s (peer: 1024³ MatMul)`,
        unit: 'GFLOP/s',
        higherIsBetter: true,
        samples: prefillGflops,
        peer: { name: 'ORT MatMul 1024³', samples: await matmulGflops(reps) },
      },
    ];
    return figures;
  },
};
export default bench;
