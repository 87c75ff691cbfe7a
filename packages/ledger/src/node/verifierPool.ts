import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { opensslVerify } from './opensslVerify';

/**
 * A pool of worker threads that run bare `node:crypto` Ed25519 verification on a shared work
 * queue. Each batch is one `SharedArrayBuffer`; every worker and, whenever its event loop is
 * idle, the calling thread take the next unclaimed signature with `Atomics.add`, so a thread
 * that is descheduled (a busy machine) or still starting never holds the batch up: the others
 * finish its share. Results are raw OpenSSL verdicts; `nodeVerifier` adds the pre-checks and the
 * strict fallback. Workers are unref'd while idle: they never keep a process alive.
 *
 * Batch layout (byte offsets): Int32 `next` at 0 (next unclaimed index), Int32 `done` at 4
 * (signatures finished), Uint32 `offsets[count + 1]` at 8 (item i spans offsets[i]…offsets[i+1]),
 * then `count` verdict bytes (1 = OpenSSL accepted), then the items: public key (32) ‖
 * signature (64) ‖ message.
 */

// Runs inside each worker; the same steps as `opensslVerify` (JWK key import, cached per key).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = new Map();
function keyOf(pub) {
  const x = Buffer.from(pub).toString('base64url');
  let key = keys.get(x);
  if (key === undefined) {
    try { key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }); } catch { key = null; }
    if (keys.size >= 16384) keys.clear();
    keys.set(x, key);
  }
  return key;
}
parentPort.on('message', ({ id, sab, count }) => {
  const ctrl = new Int32Array(sab, 0, 2);
  const offsets = new Uint32Array(sab, 8, count + 1);
  const verdicts = new Uint8Array(sab, 8 + 4 * (count + 1), count);
  const bytes = new Uint8Array(sab);
  for (;;) {
    const i = Atomics.add(ctrl, 0, 1);
    if (i >= count) return;
    const o = offsets[i];
    let ok = 0;
    try {
      const key = keyOf(bytes.subarray(o, o + 32));
      ok = key && verify(null, bytes.subarray(o + 96, offsets[i + 1]), key, bytes.subarray(o + 32, o + 96)) ? 1 : 0;
    } catch {}
    verdicts[i] = ok;
    if (Atomics.add(ctrl, 1, 1) === count - 1) parentPort.postMessage(id);
  }
});
`;

/** One signature for the pool. */
export interface PoolItem {
  publicKey: Uint8Array;
  signature: Uint8Array;
  message: Uint8Array;
}

interface Batch {
  id: number;
  count: number;
  ctrl: Int32Array;
  offsets: Uint32Array;
  verdicts: Uint8Array;
  bytes: Uint8Array;
  resolve: (verdicts: Uint8Array) => void;
  reject: (err: unknown) => void;
}

/** Longest stretch (ms) the calling thread verifies before yielding to its event loop. */
const HELP_SLICE_MS = 5;

/** How a {@link VerifierPool} shares the work. */
export interface VerifierPoolOptions {
  /** Worker threads (0: the calling thread does everything). */
  workers: number;
  /** Whether the calling thread takes a share when idle (default true). */
  help?: boolean;
}

/** See the module comment. One process-wide instance is enough: {@link verifierPool}. */
export class VerifierPool {
  private readonly workers: Worker[] = [];
  /** Unfinished batches in submission order; workers are ref'd while there are any. */
  private readonly batches = new Map<number, Batch>();
  private nextId = 0;
  private helpScheduled = false;
  private broken = false;

  private readonly size: number;
  private readonly help: boolean;

  constructor(options: VerifierPoolOptions) {
    this.size = options.workers;
    this.help = options.help ?? true;
    if (this.size === 0 && !this.help) throw new RangeError('a pool needs workers or the calling thread');
  }

  private startWorkers(): void {
    for (let i = this.workers.length; i < this.size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (id: number) => {
        const batch = this.batches.get(id);
        if (batch) this.finish(batch);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', () => this.fail(new Error('verifier worker exited')));
      this.workers.push(w);
    }
  }

  private fail(err: unknown): void {
    this.broken = true;
    for (const b of this.batches.values()) b.reject(err);
    this.batches.clear();
  }

  private finish(batch: Batch): void {
    if (!this.batches.delete(batch.id)) return;
    if (this.batches.size === 0) for (const w of this.workers) w.unref();
    Atomics.load(batch.ctrl, 1); // orders every thread's verdict writes before the read below
    batch.resolve(batch.verdicts.slice());
  }

  /** Stops the workers; pending batches are rejected. For tests and short-lived pools. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.fail(new Error('verifier pool closed'));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** Raw OpenSSL verdicts (1 = accepted) for `items`, in order. Rejects if a worker dies. */
  verify(items: readonly PoolItem[]): Promise<Uint8Array> {
    if (this.broken) return Promise.reject(new Error('verifier pool is broken'));
    const count = items.length;
    if (count === 0) return Promise.resolve(new Uint8Array(0));
    const head = 8 + 4 * (count + 1) + count;
    let size = head;
    for (const it of items) {
      if (it.publicKey.length !== 32 || it.signature.length !== 64) {
        return Promise.reject(new RangeError('pool items need a 32-byte key and a 64-byte signature'));
      }
      size += 96 + it.message.length;
    }
    const sab = new SharedArrayBuffer(size);
    const offsets = new Uint32Array(sab, 8, count + 1);
    const bytes = new Uint8Array(sab);
    let off = head;
    for (let i = 0; i < count; i++) {
      const it = items[i]!;
      offsets[i] = off;
      bytes.set(it.publicKey, off);
      bytes.set(it.signature, off + 32);
      bytes.set(it.message, off + 96);
      off += 96 + it.message.length;
    }
    offsets[count] = off;
    this.startWorkers();
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const batch: Batch = {
        id,
        count,
        ctrl: new Int32Array(sab, 0, 2),
        offsets,
        verdicts: new Uint8Array(sab, 8 + 4 * (count + 1), count),
        bytes,
        resolve,
        reject,
      };
      if (this.batches.size === 0) for (const w of this.workers) w.ref();
      this.batches.set(id, batch);
      for (const w of this.workers) w.postMessage({ id, sab, count });
      if (this.help) this.scheduleHelp();
    });
  }

  private scheduleHelp(): void {
    if (this.helpScheduled) return;
    this.helpScheduled = true;
    setImmediate(() => this.helpStep());
  }

  /** The calling thread's share: runs only when its event loop has nothing else to do. */
  private helpStep(): void {
    this.helpScheduled = false;
    const deadline = performance.now() + HELP_SLICE_MS;
    for (const b of this.batches.values()) {
      for (;;) {
        const i = Atomics.add(b.ctrl, 0, 1);
        if (i >= b.count) break;
        const o = b.offsets[i]!;
        const ok = opensslVerify(
          b.bytes.subarray(o + 32, o + 96),
          b.bytes.subarray(o + 96, b.offsets[i + 1]!),
          b.bytes.subarray(o, o + 32),
        );
        b.verdicts[i] = ok ? 1 : 0;
        if (Atomics.add(b.ctrl, 1, 1) === b.count - 1) this.finish(b);
        if (performance.now() >= deadline) {
          this.scheduleHelp();
          return;
        }
      }
    }
  }
}

let shared: VerifierPool | undefined;

/**
 * The process-wide pool (created on first use): one worker per available core but one, since
 * the calling thread takes a share whenever it is idle; at least one worker. (One thread per
 * core: on 2 cores, 2 workers plus the calling thread cost ≈ 10% more CPU per signature than
 * 1 worker plus the calling thread, measured.)
 */
export function verifierPool(): VerifierPool {
  shared ??= new VerifierPool({ workers: Math.max(1, availableParallelism() - 1) });
  return shared;
}
