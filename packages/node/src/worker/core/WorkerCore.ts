import type { Backend, ModelConfig, WeightMap } from '@ailo/pipeline';
import { Stage } from '@ailo/pipeline';
import { type Peer, ProtocolError, type Tensor } from '@ailo/protocol';
import { DEFAULT_SESSION_IDLE_MS, DEFAULT_WORKER_MAX_SESSIONS } from '../../constants';
import { type Log, SILENT_LOG } from '../../logging/log';
import type { ChainOpen, ChainStep, NodeAssign } from '../../wire/messages';
import { hostToWire, wireToHost } from '../../wire/tensors';
import { type HeldSpan, spanLabel } from './HeldSpan';
import type { LinkPool } from './LinkPool';
import { toProtocolError } from './toProtocolError';

/** Loads the weights of an assigned span (from chunks over HTTP, a local directory, memory…). */
export type SpanLoader = (
  assign: NodeAssign,
  signal: AbortSignal,
) => Promise<{ config: ModelConfig; weights: WeightMap }>;

/** Options of a {@link WorkerCore}. */
export interface WorkerCoreOptions {
  /** executes the stage graph */
  backend: Backend;
  loadSpan: SpanLoader;
  /** sessions held at once; one more is refused with `overloaded` (retryable) */
  maxSessions?: number;
  /** a session idle this long is dropped. ms */
  sessionIdleMs?: number;
  log?: Log;
  now?: () => number;
  /** called each time a span starts being served */
  onServing?(span: HeldSpan): void;
  /** connections to next workers for chained steps; without it a chained step that must be passed on fails with `unavailable` */
  links?: LinkPool;
}

interface Loaded {
  span: HeldSpan;
  stage: Stage;
}

/**
 * The serving half of a worker, free of platform APIs so that a browser
 * worker reuses it: holds one span's compiled stage, answers `infer.open`,
 * `infer.forward`, `infer.close` with a per-session KV cache, and loads
 * spans on `node.assign`.
 */
export class WorkerCore {
  private loaded: Loaded | undefined;
  private loading: { key: string; done: Promise<void> } | undefined;
  /** the span of the latest `node.assign`: a load that finishes after a newer assignment is dropped */
  private wanted: string | undefined;
  /** session id → last use (ms) */
  private readonly sessions = new Map<string, number>();
  /** session id → the node allowed to send it chained steps over a link (absent: only the coordinator) */
  private readonly upstreams = new Map<string, string>();
  /** the coordinator connection: chained results and errors go there */
  private coordinator: Peer | undefined;
  private readonly log: Log;
  private readonly now: () => number;
  private readonly maxSessions: number;
  private readonly idleMs: number;
  /** forward steps served since start */
  steps = 0;

  constructor(private readonly opts: WorkerCoreOptions) {
    this.log = opts.log ?? SILENT_LOG;
    this.now = opts.now ?? Date.now;
    this.maxSessions = opts.maxSessions ?? DEFAULT_WORKER_MAX_SESSIONS;
    this.idleMs = opts.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  }

  /** The span served now, if any. */
  get held(): HeldSpan | undefined {
    return this.loaded?.span;
  }

  /** Sessions with a KV cache here. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Registers the request handlers on a connection to the coordinator; returns a function that removes them. */
  attach(peer: Peer): () => void {
    const offs = [
      peer.handle('node.assign', async (body) => {
        await this.assign(body);
        return {};
      }),
      peer.handle('infer.open', (body) => {
        this.open(body.session, body.span, body.maxContext);
        return {};
      }),
      peer.handle('infer.forward', async (body) => {
        try {
          const output = await this.forward(body.session, body.input, body.position, body.logitsFrom);
          return { session: body.session, step: body.step, output };
        } catch (e) {
          throw toProtocolError(e);
        }
      }),
      peer.handle('infer.close', (body) => {
        this.close(body.session);
        return {};
      }),
      peer.handle('chain.open', (body) => {
        this.openChained(body);
        return {};
      }),
      peer.handle('chain.step', (body) => this.chainStep(body, undefined)),
    ];
    this.coordinator = peer;
    // session ids are the coordinator's: they die with its connection
    peer.closed.then(() => {
      this.sessions.clear();
      this.upstreams.clear();
      if (this.coordinator === peer) this.coordinator = undefined;
    });
    return () => {
      for (const off of offs) off();
    };
  }

  /**
   * Accepts chained steps from another worker on an incoming link connection:
   * only for sessions the coordinator opened with that worker as upstream.
   */
  attachLink(peer: Peer): () => void {
    return peer.handle('chain.step', (body, ctx) => this.chainStep(body, ctx.peer.hello?.peerId));
  }

  /** `chain.open`: {@link open}, and remember which node may feed the session. */
  openChained(body: ChainOpen): void {
    this.open(body.session, body.span, body.maxContext);
    if (body.upstream) this.upstreams.set(body.session, body.upstream);
    else this.upstreams.delete(body.session);
  }

  /**
   * Runs one chained step (from the coordinator when `from` is undefined, else
   * from the worker with that id) and passes the output on: to the next worker,
   * or as `chain.result` to the coordinator on the last stage. Failures are
   * reported to the coordinator as `chain.error`, never thrown at the sender.
   */
  private async chainStep(body: ChainStep, from: string | undefined): Promise<void> {
    const { session, step, position, next, logitsFrom } = body;
    const report = (at: 'self' | 'next', e: unknown) => {
      const err = toProtocolError(e);
      this.log.warn({ session, step, at, code: err.code, err: err.shortMessage }, 'chained step failed');
      this.coordinator
        ?.notify('chain.error', {
          session,
          step,
          at,
          code: err.code,
          message: err.shortMessage.slice(0, 1024),
        })
        .catch(() => {});
    };
    let output: Tensor;
    try {
      if (this.upstreams.get(session) !== from) {
        throw new ProtocolError(
          'unauthorized',
          `session ${session} does not take chained steps from this sender`,
        );
      }
      output = await this.forward(session, body.input, position, logitsFrom);
    } catch (e) {
      report('self', e);
      return;
    }
    const [hop, ...rest] = next;
    if (!hop) {
      await this.coordinator
        ?.notify('chain.result', { session, step, output })
        .catch((e) =>
          this.log.warn({ session, step, err: (e as Error).message }, 'cannot send a chained result'),
        );
      return;
    }
    try {
      if (!this.opts.links)
        throw new ProtocolError('unavailable', 'this worker cannot open links to other workers');
      const link = await this.opts.links.get(hop.url, hop.node);
      await link.notify('chain.step', {
        session,
        step,
        position,
        input: output,
        next: rest,
        ...(logitsFrom !== undefined ? { logitsFrom } : {}),
      });
    } catch (e) {
      report(
        'next',
        new ProtocolError('unavailable', `cannot reach ${hop.node.slice(0, 12)} at ${hop.url}`, { cause: e }),
      );
    }
  }

  /**
   * Loads and compiles `a`'s span (a no-op when it is already served; joins a
   * load of the same span in progress). Sessions of a previous span are dropped.
   * The latest assignment wins: a load that finishes after a newer one was
   * given is dropped.
   * @throws ProtocolError `unavailable` (not retryable) naming the span and the cause, e.g. a chunk failing sha256 verification; `conflict` when a newer assignment replaced this one.
   */
  async assign(a: NodeAssign): Promise<void> {
    const key = `${a.model}@${a.version}[${a.start}:${a.end})`;
    this.wanted = key;
    const cur = this.loaded?.span;
    if (
      cur &&
      cur.model === a.model &&
      cur.version === a.version &&
      cur.start === a.start &&
      cur.end === a.end
    )
      return;
    if (this.loading?.key === key) return this.loading.done;
    const done = this.load(a, key);
    this.loading = { key, done };
    try {
      await done;
    } finally {
      if (this.loading?.key === key) this.loading = undefined;
    }
  }

  private async load(a: NodeAssign, key: string): Promise<void> {
    const label = spanLabel(a);
    const t0 = this.now();
    let stage: Stage;
    try {
      const { config, weights } = await this.opts.loadSpan(a, new AbortController().signal);
      if (a.end > config.numLayers || a.start >= a.end) {
        throw new ProtocolError('bad_request', `${label} is not a span of a ${config.numLayers}-layer model`);
      }
      stage = await Stage.create(config, weights, { start: a.start, end: a.end }, this.opts.backend, {
        maxSessions: this.maxSessions + 1,
        idleTimeoutMs: this.idleMs,
      });
    } catch (e) {
      const err = e as { shortMessage?: string; message?: string };
      this.log.error({ span: label, err: err.message }, 'cannot load span');
      throw new ProtocolError('unavailable', `cannot load ${label}: ${err.shortMessage ?? err.message}`, {
        cause: e,
        retryable: false,
      });
    }
    if (this.wanted !== key) {
      // a newer assignment (e.g. the next model version) came while this span loaded: it wins
      await stage.dispose();
      this.log.info({ span: label }, 'span load superseded by a newer assignment');
      throw new ProtocolError('conflict', `${label} was replaced by a newer assignment`, {
        retryable: false,
      });
    }
    const old = this.loaded;
    this.loaded = { span: { model: a.model, version: a.version, start: a.start, end: a.end }, stage };
    this.sessions.clear();
    if (old) await old.stage.dispose();
    this.log.info({ span: label, ms: this.now() - t0 }, 'serving span');
    this.opts.onServing?.(this.loaded.span);
  }

  /**
   * Admits a session on the served span.
   * @throws ProtocolError `not_found` if the span is not served here, `bad_request` past the model context, `overloaded` when full.
   */
  open(session: string, span: { model: string; start: number; end: number }, maxContext: number): void {
    const l = this.loaded;
    if (!l || l.span.model !== span.model || l.span.start !== span.start || l.span.end !== span.end) {
      throw new ProtocolError('not_found', `this worker does not serve ${spanLabel(span)}`);
    }
    if (maxContext > l.stage.cfg.maxPositions) {
      throw new ProtocolError(
        'bad_request',
        `maxContext ${maxContext} exceeds the model context ${l.stage.cfg.maxPositions}`,
      );
    }
    if (!this.sessions.has(session)) {
      this.evictIdle();
      if (this.sessions.size >= this.maxSessions) {
        throw new ProtocolError(
          'overloaded',
          `worker holds ${this.sessions.size} sessions (max ${this.maxSessions})`,
        );
      }
    }
    this.sessions.set(session, this.now());
  }

  /**
   * Runs `input` (ids on the first stage, hidden states after) at `position`
   * (= tokens already cached; 0 restarts the session) through the served span.
   * On the last stage, `logitsFrom` skips the logits of earlier tokens.
   */
  async forward(session: string, input: Tensor, position: number, logitsFrom?: number): Promise<Tensor> {
    const l = this.loaded;
    if (!l) throw new ProtocolError('unavailable', 'no span loaded yet');
    if (!this.sessions.has(session))
      throw new ProtocolError('not_found', `session ${session} is not open here`);
    const out = await l.stage.forward(session, {
      input: wireToHost(input),
      pastLength: position,
      ...(logitsFrom !== undefined ? { logitsFrom } : {}),
    });
    this.sessions.set(session, this.now());
    this.steps++;
    return hostToWire(out);
  }

  /** Frees a session's KV cache. */
  close(session: string): void {
    this.sessions.delete(session);
    this.upstreams.delete(session);
    this.loaded?.stage.close(session);
  }

  /** Releases the compiled stage. */
  async dispose(): Promise<void> {
    this.sessions.clear();
    await this.loaded?.stage.dispose();
    this.loaded = undefined;
  }

  private evictIdle(): void {
    const t = this.now();
    for (const [id, last] of this.sessions) {
      if (t - last > this.idleMs) this.close(id);
    }
  }
}
