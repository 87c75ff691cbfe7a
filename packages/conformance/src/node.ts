/**
 * Node-only parts of `@ailo/conformance`: a `ws` dialer, a listener that
 * waits for a worker under test, reference logits read from the hf-tiny
 * fixtures, and {@link runConformance}, which the `ailo-conformance` CLI calls.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameSocket } from '@ailo/protocol';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_HANDSHAKE_DEADLINE_MS, DEFAULT_WAIT_MS } from './constants';
import { ConformanceError } from './errors';
import { suitesFor } from './index';
import { runSuites } from './runSuites';
import type { CaseResult, ConformanceContext, ReferenceLogits, TargetRole } from './types';

/** Largest message we accept from a target (the oversize cases send, never receive, big frames). bytes */
const RECEIVE_LIMIT = 256 * 1024 * 1024;

/** Opens a raw `ws` WebSocket (no compression). */
export function dialWebSocket(url: string): FrameSocket {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: RECEIVE_LIMIT });
  ws.binaryType = 'arraybuffer';
  return ws as unknown as FrameSocket;
}

/** A socket we listen on for the worker under test. */
export interface WorkerListener {
  /** `ws://host:port` to start the worker with */
  url: string;
  /** resolves with the next connecting worker */
  accept(): Promise<FrameSocket>;
  close(): Promise<void>;
}

/** Listens on `host:port` (port 0 = any) for workers. */
export async function listenForWorker(host: string, port: number): Promise<WorkerListener> {
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: RECEIVE_LIMIT });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const queue: FrameSocket[] = [];
  const waiters: ((s: FrameSocket) => void)[] = [];
  wss.on('connection', (ws) => {
    ws.binaryType = 'arraybuffer';
    const s = ws as unknown as FrameSocket;
    const w = waiters.shift();
    if (w) w(s);
    else queue.push(s);
  });
  const address = wss.address() as { port: number };
  return {
    url: `ws://${host}:${address.port}`,
    accept: () => {
      const s = queue.shift();
      return s ? Promise.resolve(s) : new Promise((resolve) => waiters.push(resolve));
    },
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Fixture files of `hf-tiny` by model architecture. */
const FIXTURE_LOGITS: Record<string, string> = {
  gpt2: 'tiny_distilgpt2_logits.json',
  qwen2: 'tiny_qwen2_logits.json',
};

/** Reads the reference logits of the hf-tiny fixture models found in `dir`. */
export function loadReferenceLogits(dir: string): Record<string, ReferenceLogits> {
  const out: Record<string, ReferenceLogits> = {};
  for (const [arch, file] of Object.entries(FIXTURE_LOGITS)) {
    try {
      out[arch] = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ReferenceLogits;
    } catch {
      // a fixture that is absent leaves that architecture without a reference
    }
  }
  if (Object.keys(out).length === 0)
    throw new ConformanceError('bad_options', `no fixture logits in ${dir}`, {
      details: Object.values(FIXTURE_LOGITS).join(', '),
    });
  return out;
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** `ws://host:port`: the coordinator to dial, or (role worker) where to listen for the worker */
  target: string;
  role?: TargetRole;
  http?: string;
  /** directory of the hf-tiny fixtures (role worker) */
  fixtures?: string;
  waitMs?: number;
  handshakeDeadlineMs?: number;
  only?: readonly string[];
  onResult?(r: CaseResult): void;
  /** role worker: called once we listen, with the URL to give the worker */
  onListening?(url: string): void;
}

/**
 * Runs every suite of `role` against the target.
 * @throws ConformanceError `bad_options` for an unusable target URL.
 */
export async function runConformance(o: ConformanceOptions): Promise<CaseResult[]> {
  const role = o.role ?? 'coordinator';
  let target: URL;
  try {
    target = new URL(o.target);
  } catch (e) {
    throw new ConformanceError('bad_options', `--target ${o.target} is not a URL`, { cause: e });
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:')
    throw new ConformanceError('bad_options', `--target must be ws:// or wss://, got ${target.protocol}`);
  const ctx: ConformanceContext = {
    target: o.target,
    dial: dialWebSocket,
    waitMs: o.waitMs ?? DEFAULT_WAIT_MS,
    handshakeDeadlineMs: o.handshakeDeadlineMs ?? DEFAULT_HANDSHAKE_DEADLINE_MS,
    fetch: globalThis.fetch,
    ...(o.http ? { http: o.http.replace(/\/$/, '') } : {}),
    ...(o.fixtures ? { referenceLogits: loadReferenceLogits(o.fixtures) } : {}),
  };
  let listener: WorkerListener | undefined;
  if (role === 'worker') {
    listener = await listenForWorker(target.hostname, Number(target.port || 0));
    ctx.acceptWorker = listener.accept;
    o.onListening?.(listener.url);
  }
  try {
    return await runSuites(suitesFor(role), ctx, {
      ...(o.only ? { only: o.only } : {}),
      ...(o.onResult ? { onResult: o.onResult } : {}),
    });
  } finally {
    await listener?.close();
  }
}

/** One human-readable line per result. */
export function formatResult(r: CaseResult): string {
  const head = `${r.status.toUpperCase().padEnd(4)}  ${r.id}  [${r.clause}]  ${r.title}`;
  return r.message ? `${head}\n      ${r.message.replace(/\n/g, '\n      ')}` : head;
}
