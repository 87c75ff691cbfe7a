import { modelHash, type Sha256Factory } from '@ailo/fedavg';
import type { KeyPair } from '@ailo/ledger';
import { type Backend, type ModelConfig, type TokenBatch, trainLocal, type WeightMap } from '@ailo/pipeline';
import { signContribution } from '@ailo/poc';
import type { MessageBodies, Peer, Tensor } from '@ailo/protocol';
import { ProtocolError } from '@ailo/protocol';
import { type Log, SILENT_LOG } from '../../logging/log';
import type { RoundModel } from '../../wire/messages';

/** Bytes of the wire `nonce` field: the claim's u64 counter, little-endian, then zeros (the field is 16–32 bytes). */
const NONCE_BYTES = 16;

/** The claim nonce as the wire's `nonce` bytes. */
export function nonceToWire(n: bigint): Uint8Array {
  const out = new Uint8Array(NONCE_BYTES);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

/** The claim nonce from the wire's `nonce` bytes; undefined when bytes past the u64 are not zero. */
export function nonceFromWire(b: Uint8Array): bigint | undefined {
  if (b.length < 8 || b.subarray(8).some((x) => x !== 0)) return undefined;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
}

/** What happened to one round on this trainer. */
export type TrainerEvent =
  | { type: 'training'; round: number; steps: number; samples: number }
  | { type: 'step'; round: number; step: number; totalSteps: number; loss: number }
  | {
      type: 'submitted';
      round: number;
      samples: number;
      firstLoss: number;
      lastLoss: number;
      seconds: number;
    }
  | { type: 'rejected'; round: number; code: string; reason: string }
  | { type: 'failed'; round: number; reason: string };

/** Options of a {@link TrainerCore}. */
export interface TrainerCoreOptions {
  backend: Backend;
  /** the wallet key: signs contribution claims, and is paid */
  identity: KeyPair;
  /** loads the full base model from its manifest URL (verifying chunks) */
  loadModel(m: RoundModel, signal: AbortSignal): Promise<{ config: ModelConfig; weights: WeightMap }>;
  /** this trainer's private data as batches of `batchSize` × `seq` tokens */
  data(config: ModelConfig, batchSize: number, seq: number): Promise<TokenBatch[]> | TokenBatch[];
  /** deliberately altered updates, for tests of the validator (a misbehaving client) */
  tamper?(delta: Map<string, Float32Array>): void;
  onEvent?(e: TrainerEvent): void;
  log?: Log;
  /** ms; seeds the claim nonce so it keeps increasing across restarts */
  clock?: () => number;
  /** SHA-256 for the base-model and update hashes; default `@noble/hashes` (portable; Node passes `node:crypto`'s) */
  createHash?: Sha256Factory;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The training half of a worker (isomorphic): on `round.model` + `round.task`
 * it loads the base model M_t, checks its hash, trains locally on private
 * data (AdamW, the task's learning rate), signs the claim over Δ_k = M_t − M_k
 * and submits it with `update.submit`. Each round uses the next slice of the
 * local data, so rounds see fresh batches.
 */
export class TrainerCore {
  private readonly models = new Map<number, RoundModel>();
  private readonly log: Log;
  private busy = false;
  private lastNonce = 0n;
  /** rounds trained */
  rounds = 0;

  constructor(private readonly opts: TrainerCoreOptions) {
    this.log = opts.log ?? SILENT_LOG;
  }

  /** Registers the training handlers on a coordinator connection; returns a function removing them. */
  attach(peer: Peer): () => void {
    const offs = [
      peer.handle('round.model', (m) => {
        this.models.set(m.round, m);
      }),
      peer.handle('round.task', (task) => {
        const m = this.models.get(task.round);
        if (!m) {
          this.log.warn({ round: task.round }, 'task for a round without a model; ignored');
          return;
        }
        if (this.busy) {
          this.log.warn({ round: task.round }, 'still training the previous round; task ignored');
          return;
        }
        this.busy = true;
        void this.train(peer, m, task).finally(() => {
          this.busy = false;
          this.models.delete(task.round);
        });
      }),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  private emit(e: TrainerEvent): void {
    this.opts.onEvent?.(e);
  }

  private async train(peer: Peer, m: RoundModel, task: MessageBodies['round.task']): Promise<void> {
    const ac = new AbortController();
    peer.closed.then(() => ac.abort());
    try {
      const { config, weights } = await this.opts.loadModel(m, ac.signal);
      const tensors = new Map([...weights].map(([k, w]) => [k, w.data] as const));
      const schema = new Map([...weights].map(([k, w]) => [k, w.shape] as const));
      const base = modelHash(tensors, schema, this.opts.createHash);
      if (base !== bytesToHex(task.baseHash)) {
        throw new ProtocolError(
          'conflict',
          `the model at ${m.manifestUrl} does not hash to the round's base`,
        );
      }
      const all = await this.opts.data(config, task.batchSize, m.seq);
      if (all.length === 0) throw new ProtocolError('bad_request', 'no local training data');
      const steps = Math.min(m.maxSteps, all.length);
      const offset = (this.rounds * steps) % all.length;
      const batches = Array.from({ length: steps }, (_, i) => all[(offset + i) % all.length]!);
      const samples = batches.reduce((n, b) => n + b.batch, 0);
      this.emit({ type: 'training', round: task.round, steps, samples });
      const r = await trainLocal({
        model: { config, weights },
        batches,
        epochs: task.epochs,
        optimizer: { lr: task.learningRate },
        backend: this.opts.backend,
        seed: task.round,
        signal: ac.signal,
        onProgress: (p) =>
          this.emit({
            type: 'step',
            round: task.round,
            step: p.step,
            totalSteps: p.totalSteps,
            loss: p.loss,
          }),
      });
      this.rounds++;
      const delta = r.update;
      this.opts.tamper?.(delta);
      const deltaHash = modelHash(delta, schema, this.opts.createHash);
      // per-identity counter, strictly increasing: microseconds of the clock, bumped past the last one
      const now = BigInt((this.opts.clock ?? Date.now)()) * 1000n;
      this.lastNonce = now > this.lastNonce ? now : this.lastNonce + 1n;
      const proof = signContribution(
        { round: task.round, base, deltaHash, numSamples: r.numSamples, nonce: this.lastNonce },
        this.opts.identity,
        m.chainId,
      );
      const wire: Record<string, Tensor> = {};
      for (const [k, v] of delta) wire[k] = { dtype: 'f32', shape: [...schema.get(k)!], data: v };
      try {
        await peer.request(
          'update.submit',
          {
            round: task.round,
            taskId: task.taskId,
            baseHash: task.baseHash,
            updateHash: hexToBytes(deltaHash),
            samples: r.numSamples,
            nonce: nonceToWire(this.lastNonce),
            pubkey: this.opts.identity.publicKey,
            sig: proof.signature,
            delta: wire,
          },
          { timeoutMs: Math.max(30_000, task.deadline - Date.now() + 30_000) },
        );
        this.emit({
          type: 'submitted',
          round: task.round,
          samples: r.numSamples,
          firstLoss: r.metrics.firstLoss,
          lastLoss: r.metrics.lastLoss,
          seconds: r.metrics.seconds,
        });
      } catch (e) {
        const err = ProtocolError.from(e);
        this.emit({ type: 'rejected', round: task.round, code: err.code, reason: err.shortMessage });
      }
    } catch (e) {
      const reason = (e as { shortMessage?: string; message?: string }).shortMessage ?? (e as Error).message;
      this.log.error({ round: task.round, err: reason }, 'training failed');
      this.emit({ type: 'failed', round: task.round, reason });
    }
  }
}
