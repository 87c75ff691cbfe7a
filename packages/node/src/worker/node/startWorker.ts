import { freemem } from 'node:os';
import { generateKeyPair, type KeyPair, keyPairFromSecretKey } from '@ailo/ledger';
import { nodeVerifier } from '@ailo/ledger/node';
import type { BackendName, ModelConfig, TokenBatch } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import {
  createIdentity,
  type HelloOptions,
  type Identity,
  type Limits,
  openClientPeer,
  type Peer,
} from '@ailo/protocol';
import { WebSocket } from 'ws';
import { NODE_HEARTBEAT_TIMEOUT_MS } from '../../constants';
import { type Log, SILENT_LOG } from '../../logging/log';
import { nodeSha256 } from '../../nodeSha256';
import { type NodeJoin, nodeRegistry } from '../../wire/messages';
import type { HeldSpan } from '../core/HeldSpan';
import { LedgerFollower } from '../core/LedgerFollower';
import { LinkPool } from '../core/LinkPool';
import { runWorkerLoop } from '../core/runWorkerLoop';
import { TrainerCore, type TrainerEvent } from '../core/TrainerCore';
import { type SpanLoader, WorkerCore } from '../core/WorkerCore';
import { type LinkServer, linkConnector, startLinkServer } from './linkServer';
import { httpSpanLoader, loadModelOverHttp } from './loadSpanOverHttp';

/** Local training: where the data comes from, and test hooks. */
export interface WorkerTraining {
  /** private data as batches of `batchSize` × `seq` tokens (e.g. Brown genres) */
  data(config: ModelConfig, batchSize: number, seq: number): TokenBatch[] | Promise<TokenBatch[]>;
  /** alters each update before it is signed (tests of Proof-of-Contribution) */
  tamper?(delta: Map<string, Float32Array>): void;
  onEvent?(e: TrainerEvent): void;
}

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** `ws://host:port` of the coordinator */
  coordinator: string;
  /** wallet key (its public key is the node id; rewards go to its address); default: a fresh key */
  key?: KeyPair;
  /** layers to serve; default auto */
  layers?: { start: number; end: number };
  /** model id; default the coordinator's default model */
  model?: string;
  backend?: BackendName;
  /** ONNX Runtime intra-op threads (default: the runtime's, one per core) */
  threads?: number;
  /** declared budget for weights and activations. bytes (default: free memory) */
  memoryBytes?: number;
  maxSessions?: number;
  /** chunk cache directory */
  cacheDir?: string;
  /** replaces the HTTP loader (tests) */
  loadSpan?: SpanLoader;
  /** train in federated rounds on this data */
  training?: WorkerTraining;
  /** keep a verified copy of the ledger and vote on transfers (default true) */
  followLedger?: boolean;
  /** expected server id (refuse others) */
  serverId?: string;
  /** hello version override (tests of version mismatch) */
  protocolVersion?: number;
  limits?: Partial<Limits>;
  log?: Log;
  /** called each time a span starts being served */
  onServing?(span: HeldSpan): void;
  /** called after each ledger block is verified and applied locally */
  onLedgerBlock?(height: number, stateHash: string): void;
  /** backoff base delay. ms */
  reconnectBaseMs?: number;
  /**
   * Accept chained steps from other workers on this address (port 0: any free
   * port), so decode steps pass worker to worker instead of through the
   * coordinator. Off by default: the address must be reachable by the other workers.
   */
  link?: { host?: string; port?: number };
}

/** A running worker. */
export interface RunningWorker {
  core: WorkerCore;
  trainer: TrainerCore | undefined;
  ledger: LedgerFollower | undefined;
  key: KeyPair;
  identity: Identity;
  /** settles when the worker stops: resolves on `stop()`, rejects on a permanent refusal */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Opens a WebSocket to `url` and runs the client handshake. */
export function connectWs(
  url: string,
  identity: Identity,
  hello: HelloOptions,
  extra: { serverId?: string; limits?: Partial<Limits> } = {},
): Promise<Peer> {
  const ws = new WebSocket(url, {
    maxPayload: extra.limits?.maxFrameBytes ?? 64 * 1024 * 1024,
    perMessageDeflate: false,
    // RFC 6455 masking shields browser-era HTTP proxies from crafted payloads; it protects
    // nothing between a Node worker and its coordinator, and costs two passes over every
    // frame (about 1.7 ms per 200 KB logits reply here). `ws` skips both passes for a zero key.
    generateMask: (mask: Uint8Array) => {
      mask.fill(0);
    },
  });
  ws.on('error', () => {}); // surfaced through the handshake promise
  return openClientPeer(ws as never, {
    identity,
    registry: nodeRegistry(),
    heartbeatTimeoutMs: NODE_HEARTBEAT_TIMEOUT_MS,
    ...hello,
    ...(extra.serverId ? { serverId: extra.serverId } : {}),
    ...(extra.limits ? { limits: extra.limits } : {}),
  });
}

/** Starts a Node worker: connects (and reconnects) to the coordinator, serves its span, trains and follows the ledger. */
export function startWorker(opts: WorkerOptions): RunningWorker {
  const log = opts.log ?? SILENT_LOG;
  const key = opts.key ?? generateKeyPair();
  const identity = createIdentity(key.secretKey);
  const backendName = opts.backend ?? 'cpu';
  const backend = createNodeBackend(backendName, opts.threads !== undefined ? { threads: opts.threads } : {});
  const links = new LinkPool(linkConnector(identity));
  const core = new WorkerCore({
    backend,
    links,
    loadSpan: opts.loadSpan ?? httpSpanLoader(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
    log,
    ...(opts.onServing ? { onServing: opts.onServing } : {}),
    ...(opts.maxSessions !== undefined ? { maxSessions: opts.maxSessions } : {}),
  });
  const t = opts.training;
  const trainer = t
    ? new TrainerCore({
        backend,
        identity: keyPairFromSecretKey(key.secretKey),
        loadModel: (m, signal) =>
          loadModelOverHttp(m, opts.cacheDir ? { cacheDir: opts.cacheDir } : {}, signal),
        data: (config, batchSize, seq) => t.data(config, batchSize, seq),
        createHash: nodeSha256,
        log,
        ...(t.tamper ? { tamper: t.tamper } : {}),
        ...(t.onEvent ? { onEvent: t.onEvent } : {}),
      })
    : undefined;
  const ledger =
    opts.followLedger === false
      ? undefined
      : new LedgerFollower({
          key,
          verifier: nodeVerifier,
          log,
          ...(opts.onLedgerBlock ? { onBlock: opts.onLedgerBlock } : {}),
        });
  const ac = new AbortController();
  const join: NodeJoin = {};
  if (opts.layers) join.layers = opts.layers;
  if (opts.model) join.model = opts.model;
  let linkServer: LinkServer | undefined;
  const linkReady = opts.link
    ? startLinkServer(core, identity, {
        host: opts.link.host ?? '127.0.0.1',
        port: opts.link.port ?? 0,
        log,
      }).then((server) => {
        linkServer = server;
        join.link = server.url;
        log.info({ url: server.url }, 'accepting links from workers');
      })
    : Promise.resolve();
  const done = runWorkerLoop({
    core,
    join,
    backends: [backendName === 'cuda' ? 'cuda' : 'cpu'],
    memoryBytes: opts.memoryBytes ?? freemem(),
    ...(trainer ? { roles: ['trainer' as const] } : {}),
    onConnect: (peer) => {
      const offTrainer = trainer?.attach(peer);
      ledger?.attach(peer).catch((e) => log.warn({ err: (e as Error).message }, 'ledger sync failed'));
      return offTrainer;
    },
    ...(opts.reconnectBaseMs !== undefined ? { baseDelayMs: opts.reconnectBaseMs } : {}),
    connect: async (hello) => {
      await linkReady;
      return connectWs(
        opts.coordinator,
        identity,
        opts.protocolVersion !== undefined ? { ...hello, version: opts.protocolVersion } : hello,
        {
          ...(opts.serverId ? { serverId: opts.serverId } : {}),
          ...(opts.limits ? { limits: opts.limits } : {}),
        },
      );
    },
    signal: ac.signal,
    log,
  });
  return {
    core,
    trainer,
    ledger,
    key,
    identity,
    done,
    async stop() {
      ac.abort();
      await done.catch(() => {});
      await linkReady.catch(() => {});
      await linkServer?.close();
      await links.close();
      await core.dispose();
      await ledger?.close();
    },
  };
}
