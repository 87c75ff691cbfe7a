import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CoordinatorNode,
  createTinyModel,
  readPackedWeights,
  type ServedModel,
  startCoordinatorNode,
  tinyGpt2Config,
} from '@ailo/node';
import { generateAll, gpt2Tokenizer, StageChain, weightsFromSafetensors } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';

/** Private text a browser trainer learns from; the validation sequences come from the same text, so a good update lowers their loss. */
export const TRAINING_TEXT = Array.from(
  { length: 12 },
  () => 'The network of browsers trains a shared model together, and each device keeps its own data.',
).join(' ');

/** Round settings small enough for a WASM trainer in a few seconds. */
const ROUND_SETTINGS = { batchSize: 2, seq: 16, maxSteps: 3, learningRate: 5e-3, deadlineMs: 60_000 };

/** The demo-style tiny model: GPT-2 architecture and vocabulary, random weights. */
export const TINY = { layers: 2, hidden: 32, heads: 2, context: 64 };

/** A coordinator serving a fresh tiny model (with its ledger), counting chunk files it serves. */
export interface TestNetwork {
  node: CoordinatorNode;
  modelDir: string;
  /** chunk files served over HTTP so far */
  chunkRequests(): number;
  /** stops the coordinator and starts it again on the same port and data directory */
  restart(downMs: number, whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Starts an in-process coordinator on a free port serving a new tiny model; the web UI comes from packages/web/dist. */
export async function startTestNetwork(): Promise<TestNetwork> {
  const root = mkdtempSync(join(tmpdir(), 'ailo-web-net-'));
  const modelDir = join(root, 'tiny-gpt2');
  createTinyModel(modelDir, TINY, 7);
  const tok = gpt2Tokenizer();
  let served = 0;
  const wrapped = new WeakSet<ServedModel>();
  const boot = async (port: number) => {
    const node = await startCoordinatorNode({
      dataDir: join(root, 'coord'),
      port,
      models: [{ dir: modelDir }],
      // opens the ledger (rewards, transfers); rounds only run when asked
      training: { validation: validationFrom(tok.encode(TRAINING_TEXT)), settings: ROUND_SETTINGS },
    });
    const c = node.coordinator;
    const lookup = c.modelVersion.bind(c);
    // the coordinator looks up the served version of every model file request, then reads the chunk from its store
    c.modelVersion = (id, version) => {
      const m = lookup(id, version);
      if (m && !wrapped.has(m)) {
        wrapped.add(m);
        const get = m.store.get.bind(m.store);
        m.store.get = (key, opts) => {
          if (/^chunk-/.test(key)) served++;
          return get(key, opts);
        };
      }
      return m;
    };
    return node;
  };
  const net: TestNetwork = {
    node: await boot(0),
    modelDir,
    chunkRequests: () => served,
    async restart(downMs, whileDown) {
      const port = net.node.coordinator.port;
      await net.node.close();
      await whileDown?.();
      await new Promise((r) => setTimeout(r, downMs));
      net.node = await boot(port);
    },
    close: () => net.node.close(),
  };
  return net;
}

/** The test model in Node (onnxruntime-node CPU), from its HF directory or a served version. */
async function nodeChain(from: string | ServedModel): Promise<StageChain> {
  const weights =
    typeof from === 'string'
      ? weightsFromSafetensors([readFileSync(join(from, 'model.safetensors'))])
      : await readPackedWeights(from);
  return StageChain.create(tinyGpt2Config(TINY), weights, createNodeBackend('cpu'));
}

/**
 * Greedy generation in Node (onnxruntime-node CPU) on the model's weights (`model.safetensors` of
 * `modelDir`, or the coordinator's current version after a round): what `ailo generate --greedy` prints.
 */
export async function nodeGreedy(from: string | ServedModel, prompt: string, maxTokens: number) {
  const chain = await nodeChain(from);
  const tok = gpt2Tokenizer();
  return generateAll(chain, tok.encode(prompt), { greedy: true, maxTokens, stopOnEos: false }, tok);
}

/** Logits of the last prompt position, computed in Node (onnxruntime-node CPU): the parity reference. */
export async function nodePromptLogits(from: string | ServedModel, prompt: string): Promise<Float32Array> {
  const chain = await nodeChain(from);
  const out = (await chain.forward('logits', [gpt2Tokenizer().encode(prompt)])).data as Float32Array;
  await chain.dispose();
  return out.slice(out.length - chain.config.vocabSize);
}

/** Largest |a − b| over two equally long vectors (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Four `seq`-token validation sequences cut from the training text. */
function validationFrom(ids: number[]): number[][] {
  const seq = ROUND_SETTINGS.seq;
  return [0, 1, 2, 3].map((i) => ids.slice(i * seq, (i + 1) * seq));
}
