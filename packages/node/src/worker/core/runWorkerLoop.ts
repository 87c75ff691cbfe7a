import type { HelloOptions, Peer } from '@ailo/protocol';
import { ProtocolError } from '@ailo/protocol';
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from '../../constants';
import { NodeError } from '../../errors';
import { type Log, SILENT_LOG } from '../../logging/log';
import type { NodeJoin } from '../../wire/messages';
import type { WorkerCore } from './WorkerCore';

/** Options of {@link runWorkerLoop}. */
export interface WorkerLoopOptions {
  core: WorkerCore;
  /** opens an authenticated connection to the coordinator, declaring `hello` */
  connect(hello: HelloOptions): Promise<Peer>;
  /** what to ask for on every (re)connection */
  join: NodeJoin;
  /** `hello` capabilities besides the held span */
  backends: ('cpu' | 'cuda' | 'wasm' | 'webgpu')[];
  /** memory budget for weights and activations. bytes */
  memoryBytes: number;
  /** extra roles beyond `worker` (e.g. `trainer`) */
  roles?: ('trainer' | 'client')[];
  /** called on each new connection, after the serving handlers are attached (training, ledger…) */
  onConnect?(peer: Peer): (() => void) | undefined;
  /** stops the loop and closes the connection */
  signal?: AbortSignal;
  log?: Log;
  /** backoff delays. ms */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  random?(): number;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Close reasons after which reconnecting cannot help. */
const PERMANENT = new Set(['version_mismatch', 'unauthorized', 'bad_signature']);

/** Refusals that will not change on retry: stop instead of reconnecting. */
function isFatal(e: unknown): boolean {
  if (e instanceof ProtocolError) return !e.retryable;
  if (e instanceof NodeError) return !e.retryable;
  return false;
}

/**
 * Keeps a worker connected: connects with its held span in `hello`, asks to
 * join, serves until the connection ends, then reconnects with exponential
 * backoff and jitter (reset after a connection that joined). Resolves when
 * `signal` aborts.
 * @throws ProtocolError when the coordinator refuses for a reason a retry cannot fix (`version_mismatch`, `bad_signature`, `unauthorized`, a join refused as `bad_request`/`not_found`).
 */
export async function runWorkerLoop(opts: WorkerLoopOptions): Promise<void> {
  const log = opts.log ?? SILENT_LOG;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const base = opts.baseDelayMs ?? RECONNECT_BASE_MS;
  const max = opts.maxDelayMs ?? RECONNECT_MAX_MS;
  let attempt = 0;
  while (!opts.signal?.aborted) {
    let peer: Peer | undefined;
    try {
      const held = opts.core.held;
      peer = await opts.connect({
        roles: ['worker', ...(opts.roles ?? [])],
        capabilities: {
          backends: opts.backends,
          memoryBytes: opts.memoryBytes,
          layerSpans: held ? [{ model: held.model, start: held.start, end: held.end }] : [],
        },
      });
      const detach = opts.core.attach(peer);
      const extra = opts.onConnect?.(peer);
      const onAbort = () => void peer?.close(undefined, 'worker stopping');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await peer.request('node.join', opts.join);
        attempt = 0;
        log.info({}, 'joined coordinator');
        const reason = await peer.closed;
        if (!opts.signal?.aborted)
          log.warn({ code: reason.code, reason: reason.shortMessage }, 'connection to coordinator lost');
        if (PERMANENT.has(reason.code)) throw reason;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
        detach();
        if (typeof extra === 'function') extra();
      }
    } catch (e) {
      if (peer?.isOpen) void peer.close();
      if (isFatal(e)) throw e;
      log.warn({ err: (e as Error).message }, 'cannot reach coordinator');
    }
    if (opts.signal?.aborted) break;
    const delay = Math.min(max, base * 2 ** attempt) * (0.5 + random());
    attempt++;
    await sleep(delay, opts.signal);
  }
}
