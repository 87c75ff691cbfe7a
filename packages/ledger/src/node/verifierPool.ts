import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads that run bare `node:crypto` Ed25519 verification on packed
 * batches. One message per batch instead of one thread-pool job per signature keeps the
 * per-signature cost on the calling thread near zero. Workers are unref'd: they never keep a
 * process alive. Results are raw OpenSSL verdicts; `nodeVerifier` adds the pre-checks and the
 * strict fallback.
 */

// Runs inside each worker: item = public key (32) ‖ signature (64) ‖ message length (u32 LE) ‖ message.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
parentPort.on('message', ({ id, buffer, count }) => {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const out = new Uint8Array(count);
  let off = 0;
  for (let i = 0; i < count; i++) {
    const pub = bytes.subarray(off, off + 32);
    const sig = bytes.subarray(off + 32, off + 96);
    const len = view.getUint32(off + 96, true);
    const msg = bytes.subarray(off + 100, off + 100 + len);
    off += 100 + len;
    const kid = Buffer.from(pub).toString('latin1');
    let key = keys.get(kid);
    if (key === undefined) {
      try { key = createPublicKey({ key: Buffer.concat([PREFIX, pub]), format: 'der', type: 'spki' }); } catch { key = null; }
      if (keys.size > 16384) keys.clear();
      keys.set(kid, key);
    }
    try { out[i] = key && verify(null, msg, key, sig) ? 1 : 0; } catch { out[i] = 0; }
  }
  parentPort.postMessage({ id, buffer: out.buffer }, [out.buffer]);
});
`;

/** One signature for the pool. */
export interface PoolItem {
  publicKey: Uint8Array;
  signature: Uint8Array;
  message: Uint8Array;
}

interface Pending {
  resolve: (verdicts: Uint8Array) => void;
  reject: (err: unknown) => void;
}

class VerifierPool {
  private readonly workers: Worker[] = [];
  /** Batches out per worker; a worker is ref'd (keeps the process alive) while it has any. */
  private readonly outstanding: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken = false;

  constructor(readonly size: number) {}

  private worker(i: number): Worker {
    let w = this.workers[i];
    if (!w) {
      w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', ({ id, buffer }: { id: number; buffer: ArrayBuffer }) => {
        const p = this.pending.get(id);
        this.pending.delete(id);
        p?.resolve(new Uint8Array(buffer));
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', () => this.fail(new Error('verifier worker exited')));
      this.workers[i] = w;
    }
    return w;
  }

  private fail(err: unknown): void {
    this.broken = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Raw OpenSSL verdicts (1 = accepted) for `items`, split across the workers. Rejects if a worker dies. */
  async verify(items: readonly PoolItem[]): Promise<Uint8Array> {
    if (this.broken) throw new Error('verifier pool is broken');
    const per = Math.ceil(items.length / this.size);
    const parts: Array<Promise<Uint8Array>> = [];
    for (let w = 0; w * per < items.length; w++) {
      const chunk = items.slice(w * per, (w + 1) * per);
      let bytes = 0;
      for (const it of chunk) bytes += 100 + it.message.length;
      const buffer = new ArrayBuffer(bytes);
      const u8 = new Uint8Array(buffer);
      const view = new DataView(buffer);
      let off = 0;
      for (const it of chunk) {
        u8.set(it.publicKey, off);
        u8.set(it.signature, off + 32);
        view.setUint32(off + 96, it.message.length, true);
        u8.set(it.message, off + 100);
        off += 100 + it.message.length;
      }
      const id = this.nextId++;
      parts.push(
        new Promise<Uint8Array>((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          const worker = this.worker(w);
          if ((this.outstanding[w] = (this.outstanding[w] ?? 0) + 1) === 1) worker.ref();
          worker.postMessage({ id, buffer, count: chunk.length }, [buffer]);
        }).finally(() => {
          if ((this.outstanding[w] = this.outstanding[w]! - 1) === 0) this.workers[w]?.unref();
        }),
      );
    }
    const results = await Promise.all(parts);
    const out = new Uint8Array(items.length);
    let off = 0;
    for (const r of results) {
      out.set(r, off);
      off += r.length;
    }
    return out;
  }
}

let shared: VerifierPool | undefined;

/** The process-wide pool, one worker per available core (created on first use). */
export function verifierPool(): VerifierPool {
  shared ??= new VerifierPool(Math.max(1, availableParallelism()));
  return shared;
}
