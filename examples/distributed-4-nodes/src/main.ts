/**
 * A coordinator and 4 workers started from code with `@ailo/node`: a tiny GPT-2 is split into
 * 4 layer spans, one per worker, and a prompt is generated through the pipeline — each token is
 * one forward through worker 0 → 1 → 2 → 3.
 *
 *   npx tsx --conditions=source src/main.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTinyModel, type TinyModelShape } from '@ailo/node';
import { type GenerateOptions, generate, gpt2Tokenizer } from '@ailo/pipeline';
import { startNetwork } from './network';

/** The model: 4 GPT-2 blocks (one per worker), d 64, 4 heads, 128 positions, GPT-2 BPE vocabulary. */
export const SHAPE: TinyModelShape = { layers: 4, hidden: 64, heads: 4, context: 128 };
/** Seed of the random initialisation. */
export const SEED = 42;
/**
 * Seeded sampling: the same seed gives the same tokens wherever the logits come from. (Greedy
 * decoding of a random-init model with a tied head mostly repeats the last prompt token.)
 */
export const SAMPLING = { temperature: 0.8, topK: 40, seed: 7, stopOnEos: false } satisfies GenerateOptions;

/** One hop of the chain that served the generation. */
export interface Hop {
  /** worker index (0–3) */
  worker: number;
  /** layers `[start, end)` it ran */
  start: number;
  end: number;
}

/** What {@link runDistributed} generated, and where. */
export interface DistributedRun {
  /** the HF model directory it created (removed at the end unless `dir` was given) */
  modelDir: string;
  promptIds: number[];
  /** generated token ids ({@link SAMPLING}) */
  ids: number[];
  text: string;
  route: Hop[];
}

/** Options of {@link runDistributed}. */
export interface DistributedOptions {
  prompt?: string;
  /** tokens to generate (default 24) */
  maxTokens?: number;
  /** working directory for the model and the coordinator (default: a fresh temporary one) */
  dir?: string;
  /** where output goes (default stdout) */
  write?: (text: string) => void;
}

/**
 * Creates the model, starts the network, generates through the 4-worker pipeline while
 * printing each token as it arrives, and shuts everything down.
 */
export async function runDistributed(opts: DistributedOptions = {}): Promise<DistributedRun> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ailo-distributed-'));
  const modelDir = join(dir, 'model');
  createTinyModel(modelDir, SHAPE, SEED);
  write(`model: GPT-2, ${SHAPE.layers} layers, d ${SHAPE.hidden}, vocab 50257 (random init, seed ${SEED})\n`);

  const net = await startNetwork(modelDir, join(dir, 'coordinator'));
  try {
    const c = net.node.coordinator;
    const index = new Map(net.workers.map((w, i) => [Buffer.from(w.key.publicKey).toString('hex'), i]));
    write(`coordinator: ${c.url}; ${net.workers.length} workers serving:\n`);
    const serving = c.workers.list().flatMap((w) => (w.span ? [{ id: w.id, span: w.span }] : []));
    for (const { id, span } of serving.sort((a, b) => a.span.start - b.span.start))
      write(`  worker ${index.get(id)}  layers ${span.start}:${span.end}\n`);

    const tok = gpt2Tokenizer();
    const prompt = opts.prompt ?? 'The quick brown fox';
    const promptIds = tok.encode(prompt);
    write(`prompt: ${JSON.stringify(prompt)} → ${promptIds.join(' ')}\n`);

    const session = 'example-distributed';
    const pipeline = c.pipeline();
    const it = generate(
      pipeline,
      promptIds,
      { ...SAMPLING, maxTokens: opts.maxTokens ?? 24, sessionId: session },
      tok,
    );
    const ids: number[] = [];
    let route: Hop[] = [];
    for (;;) {
      const r = await it.next();
      // the route exists while the session is open: read it after the first token
      if (route.length === 0)
        route = (pipeline.routeOf(session) ?? []).map((h) => ({
          worker: index.get(h.worker) ?? -1,
          start: h.start,
          end: h.end,
        }));
      if (r.done) {
        write(`\nroute: ${route.map((h) => `worker ${h.worker} [${h.start}, ${h.end})`).join(' → ')}\n`);
        write(`tokens: ${ids.join(' ')}\n`);
        return { modelDir, promptIds, ids, text: r.value.text, route };
      }
      ids.push(r.value.id);
      write(`${r.value.id}:${JSON.stringify(r.value.text)} `);
    }
  } finally {
    await net.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const prompt = process.argv.slice(2).filter((a) => a !== '--')[0];
  runDistributed(prompt ? { prompt } : {}).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
