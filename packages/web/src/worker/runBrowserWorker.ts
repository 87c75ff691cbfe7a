import { keyPairFromSecretKey } from '@ailo/ledger';
import {
  type Log,
  NODE_HEARTBEAT_TIMEOUT_MS,
  type NodeJoin,
  nodeRegistry,
  runWorkerLoop,
  spanLabel,
  TrainerCore,
  WorkerCore,
} from '@ailo/node/worker';
import { textDataset } from '@ailo/pipeline';
import { connect, createIdentity } from '@ailo/protocol';
import { pickBackend } from '../backend/pickBackend';
import { hexToBytes } from '../wallet/hex';
import { browserSpanLoader, loadWholeModelInBrowser } from './browserSpanLoader';
import type { FromWorker, ToWorker } from './messages';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Memory budget declared when the browser does not tell (`navigator.deviceMemory`). bytes */
const DEFAULT_MEMORY_BYTES = 2 * 2 ** 30;

/**
 * Runs the isomorphic worker core of `@ailo/node/worker` in this context (a Web
 * Worker): connects to the coordinator over WebSocket with the wallet key,
 * serves the assigned span's forward steps (WebGPU or WASM), optionally trains
 * in federated rounds on the given private text, and reconnects with backoff
 * after the coordinator goes away. Resolves when `signal` aborts.
 */
export async function runBrowserWorker(
  start: Extract<ToWorker, { type: 'start' }>,
  post: (m: FromWorker) => void,
  signal: AbortSignal,
): Promise<void> {
  const picked = await pickBackend(start.backend, start.wasmPaths);
  post({
    type: 'backend',
    name: picked.name,
    isolated: picked.isolated,
    ...(picked.fallbackReason ? { fallbackReason: picked.fallbackReason } : {}),
  });
  const key = keyPairFromSecretKey(hexToBytes(start.secretKeyHex));
  const identity = createIdentity(key.secretKey);
  const events = {
    onProgress: (p: { key: string; bytes: number; total: number | undefined }) =>
      post({ type: 'progress', key: p.key, bytes: p.bytes, total: p.total }),
    onCache: (kind: 'indexeddb' | 'memory', reason?: string) =>
      post({ type: 'cache', kind, ...(reason ? { reason } : {}) }),
  };
  const log: Log = {
    debug() {},
    info() {},
    warn: (f, msg) => {
      if (msg === 'connection to coordinator lost' || msg === 'cannot reach coordinator')
        post({ type: 'state', state: 'offline', detail: (f as { err?: string }).err ?? msg });
    },
    error: (f, msg) => console.error(msg, f),
  };
  const core = new WorkerCore({
    backend: picked.backend,
    loadSpan: browserSpanLoader(events),
    log,
    onServing: (s) => post({ type: 'serving', span: spanLabel(s) }),
  });
  const text = start.trainingText;
  const trainer = text
    ? new TrainerCore({
        backend: picked.backend,
        identity: key,
        loadModel: (m, sig) => loadWholeModelInBrowser(m, sig, events),
        data: (_config, batchSize, seq) => {
          return textDataset([text], { seq, batchSize }).train;
        },
        onEvent: (event) => post({ type: 'trainer', event }),
        log,
      })
    : undefined;
  const steps = setInterval(
    () => post({ type: 'steps', steps: core.steps, sessions: core.sessionCount }),
    1000,
  );
  const join: NodeJoin = start.layers ? { layers: start.layers } : {};
  try {
    await runWorkerLoop({
      core,
      join,
      backends: [picked.name],
      memoryBytes:
        ((globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 0) * 2 ** 30 ||
        DEFAULT_MEMORY_BYTES,
      ...(trainer ? { roles: ['trainer' as const] } : {}),
      onConnect: (peer) => {
        post({ type: 'state', state: 'joined' });
        if (!trainer) return undefined;
        const offResult = peer.handle('round.result', (r) => {
          const mine = r.rewards.find((x) => sameBytes(x.pubkey, key.publicKey));
          post({
            type: 'roundResult',
            round: r.round,
            accepted: r.accepted,
            rejected: r.rejected,
            reward: mine?.amount ?? 0,
          });
        });
        const offTrainer = trainer.attach(peer);
        return () => {
          offResult();
          offTrainer();
        };
      },
      connect: (hello) => {
        post({ type: 'state', state: 'connecting' });
        return connect(start.coordinator, {
          identity,
          registry: nodeRegistry(),
          heartbeatTimeoutMs: NODE_HEARTBEAT_TIMEOUT_MS,
          ...hello,
        });
      },
      signal,
      log,
    });
    post({ type: 'state', state: 'stopped' });
  } finally {
    clearInterval(steps);
    await core.dispose();
  }
}
