import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  createIdentity,
  type Identity,
  type Limits,
  openServerPeer,
  type Peer,
  ProtocolError,
  peerIdOf,
  SeenNonces,
} from '@ailo/protocol';
import { WebSocketServer } from 'ws';
import {
  DEFAULT_ASSIGN_TIMEOUT_MS,
  DEFAULT_COORDINATOR_PORT,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_SERVER_ID,
  NODE_HEARTBEAT_TIMEOUT_MS,
} from '../constants';
import { NodeError } from '../errors';
import { applyCors } from '../http/cors';
import { listen } from '../http/listen';
import { serveModelFiles } from '../http/serveModelFiles';
import { type Log, SILENT_LOG } from '../logging/log';
import { nodeRegistry } from '../wire/messages';
import { spanLabel } from '../worker/core/HeldSpan';
import { toProtocolError } from '../worker/core/toProtocolError';
import { type AbuseLimitsInput, resolveAbuseLimits } from './AbuseLimits';
import { withHandshakeBreaks } from './breakFlags';
import { ChainInbox } from './ChainInbox';
import { ConnectionLimits } from './ConnectionLimits';
import { CoordinatorMetrics } from './CoordinatorMetrics';
import { planSpan } from './planSpan';
import { RemotePipeline } from './RemotePipeline';
import { RequestRateLimits } from './RequestRateLimits';
import { modelPath, type ServedModel } from './ServedModel';
import { SessionGate } from './SessionGate';
import { type WorkerEntry, WorkerRegistry } from './WorkerRegistry';

/** Handles an HTTP request not served by the coordinator itself; returns false to fall through (404). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

/** Options of {@link Coordinator.start}. */
export interface CoordinatorOptions {
  /** models served; the first is the default a worker joins */
  models: ServedModel[];
  /** interface to listen on (default 127.0.0.1) */
  host?: string;
  /** WebSocket + HTTP port (0 = any free port; default 7420) */
  port?: number;
  /** also serve the HTTP API on this port */
  httpPort?: number;
  /** signs challenges; default: a fresh key */
  identity?: Identity;
  /** server id signed into every hello (default `ailo-coordinator`) */
  serverId?: string;
  /** canonical split of a model for `--layers auto` (default min(4, layers)) */
  stages?: number;
  /** generation sessions at once across all models */
  maxSessions?: number;
  /** deadline of one pipeline hop. ms */
  hopTimeoutMs?: number;
  /** heartbeat interval announced to peers; 0 disables. ms */
  heartbeatMs?: number;
  /** a peer silent this long is dropped. ms */
  heartbeatTimeoutMs?: number;
  /** receive limits (spec §5) */
  limits?: Partial<Limits>;
  /** base URL workers fetch chunks from (default: from the Host header of their connection) */
  publicUrl?: string;
  log?: Log;
  /** extra HTTP routes (OpenAI API, web UI), tried before the 404 */
  http?: HttpHandler[];
  /** handshake deadline, connections per IP, request rates (defaults: `DEFAULT_ABUSE_LIMITS`) */
  abuse?: AbuseLimitsInput;
  /**
   * Origins whose pages may call the HTTP API and fetch model files
   * (CORS; `'*'` for any). Default: none, same-origin only.
   */
  corsOrigins?: readonly string[];
}

/**
 * The coordinator: accepts workers over WebSocket (signed handshake), assigns
 * them layer spans, serves model manifests and chunks over HTTP, and runs
 * distributed generation through {@link RemotePipeline}s.
 */
export class Coordinator {
  readonly workers = new WorkerRegistry();
  readonly metrics: CoordinatorMetrics;
  readonly identity: Identity;
  readonly serverId: string;
  readonly gate: SessionGate;
  /** `chain.result` / `chain.error` from workers, shared by every pipeline */
  private readonly chainInbox = new ChainInbox();
  /** handshake deadline and connections per IP */
  readonly connections: ConnectionLimits;
  /** per-identity request rates */
  readonly rates: RequestRateLimits;
  /** current version of each model */
  private readonly current = new Map<string, ServedModel>();
  /** every version still served as files, by `id@version` */
  private readonly versions = new Map<string, ServedModel>();
  private readonly pipelines = new Map<string, RemotePipeline>();
  private readonly servers: Server[] = [];
  private readonly wss: WebSocketServer;
  private readonly seen = new SeenNonces();
  private readonly http: HttpHandler[];
  private readonly log: Log;
  private readonly waiters = new Set<() => void>();
  private readonly peerHooks: ((w: WorkerEntry) => void)[] = [];
  /** HTTP root each connection reached us at (its Host header): where it fetches chunks */
  private readonly bases = new WeakMap<WorkerEntry, string>();
  /** extra values the gauges read (rounds, ledger) — set by the parts that own them */
  stats = { round: 0, ledgerHeight: 0 };
  private portNumber = 0;
  private httpPortNumber = 0;

  private constructor(private readonly opts: CoordinatorOptions) {
    if (opts.models.length === 0)
      throw new NodeError('bad_request', 'A coordinator needs at least one model');
    this.identity = opts.identity ?? createIdentity();
    this.serverId = opts.serverId ?? DEFAULT_SERVER_ID;
    this.log = opts.log ?? SILENT_LOG;
    this.gate = new SessionGate(opts.maxSessions ?? DEFAULT_MAX_SESSIONS);
    const abuse = resolveAbuseLimits(opts.abuse);
    this.connections = new ConnectionLimits(abuse);
    this.rates = new RequestRateLimits(abuse);
    this.http = [...(opts.http ?? [])];
    for (const m of opts.models) this.setModel(m);
    this.metrics = new CoordinatorMetrics({
      workers: this.workers,
      sessions: () => this.gate.active,
      round: () => this.stats.round,
      ledgerHeight: () => this.stats.ledgerHeight,
    });
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: opts.limits?.maxFrameBytes ?? 64 * 1024 * 1024,
    });
    this.workers.on(() => {
      for (const w of [...this.waiters]) w();
    });
  }

  /** Starts listening. */
  static async start(opts: CoordinatorOptions): Promise<Coordinator> {
    const c = new Coordinator(opts);
    const host = opts.host ?? '127.0.0.1';
    const main = createServer((req, res) => void c.onRequest(req, res));
    main.on('upgrade', (req, socket, head) => {
      c.wss.handleUpgrade(req, socket, head, (ws) => void c.onConnection(ws, req));
    });
    c.connections.watch(main);
    c.portNumber = await listen(main, opts.port ?? DEFAULT_COORDINATOR_PORT, host);
    c.servers.push(main);
    c.httpPortNumber = c.portNumber;
    if (opts.httpPort !== undefined && opts.httpPort !== opts.port) {
      const api = createServer((req, res) => void c.onRequest(req, res));
      c.connections.watch(api);
      c.httpPortNumber = await listen(api, opts.httpPort, host);
      c.servers.push(api);
    }
    c.log.info(
      { url: c.url, http: c.httpUrl, id: peerIdOf(c.identity.publicKey).slice(0, 16) },
      'coordinator listening',
    );
    return c;
  }

  /** WebSocket URL workers dial. */
  get url(): string {
    return `ws://${this.opts.host ?? '127.0.0.1'}:${this.portNumber}`;
  }

  /** HTTP base URL of the API. */
  get httpUrl(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.httpPortNumber}`;
  }

  get port(): number {
    return this.portNumber;
  }

  /** Adds an HTTP route handler (tried in order, before the 404). */
  addHttp(handler: HttpHandler): void {
    this.http.push(handler);
  }

  /** Runs `hook` for every authenticated connection (now and later): extensions register their handlers here. */
  onPeer(hook: (w: WorkerEntry) => void): void {
    this.peerHooks.push(hook);
    for (const w of this.workers.list()) hook(w);
  }

  /** The HTTP root a connected node reaches this coordinator at (from its connection's Host header). */
  httpBaseFor(w: WorkerEntry): string {
    return this.bases.get(w) ?? this.httpUrl;
  }

  /** Model ids served, default first. */
  modelIds(): string[] {
    return [...this.current.keys()];
  }

  /**
   * The current version of a model (default: the first).
   * @throws NodeError `unknown_model` listing the served ids.
   */
  model(id?: string): ServedModel {
    const m = this.current.get(id ?? this.modelIds()[0]!);
    if (!m)
      throw new NodeError('unknown_model', `Unknown model "${id}"; served: ${this.modelIds().join(', ')}`);
    return m;
  }

  /** A served version, for file requests. */
  modelVersion(id: string, version: string): ServedModel | undefined {
    return this.versions.get(`${id}@${version}`);
  }

  /**
   * The distributed pipeline of a model's current version.
   * @throws NodeError `unknown_model`.
   */
  pipeline(id?: string): RemotePipeline {
    const m = this.model(id);
    let p = this.pipelines.get(m.id);
    if (!p || p.model.version !== m.version) {
      p = new RemotePipeline({
        registry: this.workers,
        model: { id: m.id, version: m.version, config: m.config },
        gate: this.gate,
        log: this.log,
        ...(this.opts.hopTimeoutMs !== undefined ? { hopTimeoutMs: this.opts.hopTimeoutMs } : {}),
        onFailover: () => this.metrics.failovers.inc(),
        onStep: (n) => this.metrics.addTokens(n),
        onHop: (ms) => this.metrics.hopSeconds.observe(ms / 1000),
        chain: this.chainInbox,
      });
      this.pipelines.set(m.id, p);
    }
    return p;
  }

  /**
   * Publishes a new version of a model (e.g. the global model after a
   * federated round): new sessions use it, and every worker serving the model
   * is reassigned the same span of the new version.
   */
  async publish(m: ServedModel): Promise<void> {
    this.setModel(m);
    await Promise.all(
      this.workers
        .list()
        .filter((w) => w.span?.model === m.id && w.span.version !== m.version)
        .map((w) => this.assign(w, m, { start: w.span!.start, end: w.span!.end }).catch(() => {})),
    );
  }

  /**
   * Resolves once a chain of ready workers covers every layer of the model.
   * @throws NodeError `layers_unavailable` (from the last attempt) after `timeoutMs`.
   */
  waitForCoverage(id?: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        try {
          this.pipeline(id).plan();
          return true;
        } catch {
          return false;
        }
      };
      if (check()) return resolve();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        try {
          this.pipeline(id).plan();
          resolve();
        } catch (e) {
          reject(e);
        }
      }, timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Resolves once `n` workers are ready (any model). */
  waitForWorkers(n: number, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const ready = () => this.workers.list().filter((w) => w.state === 'ready').length >= n;
      if (ready()) return resolve();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new NodeError(
            'unavailable',
            `Only ${this.workers.list().filter((w) => w.state === 'ready').length} of ${n} workers became ready`,
          ),
        );
      }, timeoutMs);
      const waiter = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const p of this.pipelines.values()) await p.closeAll();
    await Promise.all(this.workers.list().map((w) => w.peer.close(undefined, 'coordinator stopping')));
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const s of this.servers) s.closeAllConnections();
  }

  private setModel(m: ServedModel): void {
    this.current.set(m.id, m);
    this.versions.set(`${m.id}@${m.version}`, m);
  }

  private async onConnection(ws: import('ws').WebSocket, req: IncomingMessage): Promise<void> {
    if (!this.connections.admitWebSocket(ws, req)) return;
    const base = this.opts.publicUrl ?? `http://${req.headers.host ?? `127.0.0.1:${this.portNumber}`}`;
    let peer: Peer;
    try {
      peer = await openServerPeer(withHandshakeBreaks(ws) as never, {
        serverId: this.serverId,
        helloTimeoutMs: this.connections.helloTimeoutMs(req.socket),
        registry: nodeRegistry(),
        seen: this.seen,
        ...(this.opts.heartbeatMs !== undefined ? { heartbeatMs: this.opts.heartbeatMs } : {}),
        heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs ?? NODE_HEARTBEAT_TIMEOUT_MS,
        ...(this.opts.limits ? { limits: this.opts.limits } : {}),
        onError: (e) => this.log.debug({ code: e.code, err: e.shortMessage }, 'peer error'),
      });
    } catch (e) {
      const err = ProtocolError.from(e);
      this.log.warn(
        { code: err.code, err: err.shortMessage, from: req.socket.remoteAddress },
        'handshake refused',
      );
      return;
    }
    const hello = peer.hello!;
    const entry = this.workers.add({
      id: hello.peerId,
      peer,
      roles: hello.roles,
      backends: hello.capabilities.backends,
      memoryBytes: hello.capabilities.memoryBytes,
    });
    this.bases.set(entry, base);
    this.rates.guard(peer, entry.id);
    this.log.info({ worker: entry.id.slice(0, 12), roles: hello.roles }, 'peer connected');
    for (const hook of this.peerHooks) hook(entry);
    peer.handle('node.join', (body) => {
      let m: ServedModel;
      let span: { start: number; end: number };
      try {
        m = this.model(body.model ?? this.modelIds()[0]);
        span = planSpan(
          m,
          body.layers,
          this.workers.list().filter((w) => w !== entry),
          this.opts.stages ?? 4,
          entry.memoryBytes,
        );
      } catch (e) {
        throw toProtocolError(e);
      }
      this.workers.update(entry, { want: body });
      // reply first, then load: the worker's `node.join` returns before its span is ready
      setImmediate(() => void this.assign(entry, m, span).catch(() => {}));
      return {};
    });
    peer.closed.then((reason) => {
      this.workers.remove(entry);
      this.log.info({ worker: entry.id.slice(0, 12), code: reason.code }, 'peer disconnected');
    });
  }

  /** Sends `node.assign` and tracks the worker through loading to ready (or failed). */
  private async assign(w: WorkerEntry, m: ServedModel, span: { start: number; end: number }): Promise<void> {
    const root = this.httpBaseFor(w);
    const held = { model: m.id, version: m.version, ...span };
    this.workers.update(w, { state: 'loading', span: held, error: undefined });
    // a later assignment (the next model version) replaces `held`: this one's outcome no longer describes the worker
    const current = () => this.workers.isLive(w) && w.span === held;
    try {
      await w.peer.request(
        'node.assign',
        { ...held, manifestUrl: `${root}${modelPath(m.id, m.version)}manifest.json` },
        { timeoutMs: DEFAULT_ASSIGN_TIMEOUT_MS },
      );
      if (current()) this.workers.update(w, { state: 'ready' });
      this.log.info({ worker: w.id.slice(0, 12), span: spanLabel(held) }, 'worker ready');
    } catch (e) {
      const err = ProtocolError.from(e);
      if (current()) this.workers.update(w, { state: 'failed', error: err.shortMessage });
      this.log.error(
        { worker: w.id.slice(0, 12), span: spanLabel(held), code: err.code, err: err.shortMessage },
        'worker failed to load',
      );
      throw err;
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (applyCors(req, res, this.opts.corsOrigins ?? [])) return;
      if (this.connections.refuseHttp(req, res) || this.rates.refuseHttp(req, res, url)) return;
      if (url.pathname.startsWith('/models/')) {
        if (await serveModelFiles(req, res, url.pathname, (id, v) => this.modelVersion(id, v))) return;
      }
      for (const h of this.http) if (await h(req, res, url)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `No route for ${req.method} ${url.pathname}`,
            type: 'invalid_request_error',
            param: null,
            code: 'not_found',
          },
        }),
      );
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: 'internal error', type: 'server_error', param: null, code: 'internal' },
        }),
      );
    }
  }
}
