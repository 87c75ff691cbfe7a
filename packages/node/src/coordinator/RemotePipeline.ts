import type { HostTensor, LogitsSource, ModelConfig } from '@ailo/pipeline';
import { ProtocolError, type Tensor } from '@ailo/protocol';
import {
  DEFAULT_HOP_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
  MAX_REROUTES,
  MAX_STEP_LOGITS_BYTES,
} from '../constants';
import { NodeError } from '../errors';
import { type Log, SILENT_LOG } from '../logging/log';
import { idsToWire } from '../wire/tensors';
import type { ChainInbox } from './ChainInbox';
import { type Hop, routeChain } from './routeChain';
import type { SessionGate } from './SessionGate';
import type { WorkerEntry, WorkerRegistry } from './WorkerRegistry';

/** A model version served by a pipeline. */
export interface PipelineModel {
  id: string;
  /** manifest sha256 (hex) */
  version: string;
  config: ModelConfig;
}

/** A re-route after a failed hop, for logs and metrics. */
export interface FailoverEvent {
  session: string;
  /** the worker that failed */
  worker: string;
  span: { start: number; end: number };
  code: string;
  /** tokens replayed so the new chain rebuilds its KV caches */
  replayed: number;
}

/** Options of a {@link RemotePipeline}. */
export interface RemotePipelineOptions {
  registry: WorkerRegistry;
  model: PipelineModel;
  /** shared admission control (sessions across all models) */
  gate: SessionGate;
  /** deadline of one hop. ms */
  hopTimeoutMs?: number;
  /** longest logits reply of one step; longer prefills are split. bytes */
  maxStepLogitsBytes?: number;
  /** a session idle this long is dropped when a new one opens. ms */
  sessionIdleMs?: number;
  log?: Log;
  onFailover?(e: FailoverEvent): void;
  /** called after every step with the tokens it fed */
  onStep?(tokens: number): void;
  /** called with each hop's round trip (chained steps: the step's time over its hops). ms */
  onHop?(ms: number): void;
  /**
   * Where workers report chained steps. With it, a step whose workers after
   * the first all accept links travels worker to worker (`chain.step`) and only
   * its logits come back: one message per hop instead of two.
   */
  chain?: ChainInbox;
}

interface Route {
  hops: Hop[];
  /** workers holding an open session for this route */
  opened: Set<WorkerEntry>;
  /** workers that failed this session; never routed to again for it */
  excluded: Set<string>;
  /** the upstream node each chain-opened worker accepts steps from (undefined: the coordinator) */
  upstream: Map<WorkerEntry, string | undefined>;
  /** relay every step through the coordinator (after a chained step failed in a way that names no hop) */
  relay: boolean;
  /** tokens fed so far, per batch row */
  history: number[][];
  step: number;
  lastUsed: number;
}

/** A failure at one hop of a route. */
class HopFailure extends Error {
  constructor(
    readonly hop: Hop,
    readonly error: ProtocolError,
  ) {
    super(error.message);
  }
}

/** A chained step failed without naming a hop: rerun the session through the coordinator. */
class ChainFallback extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.message);
  }
}

/** Hop errors that another holder of the span may not hit. */
const FAILOVER_CODES = new Set(['closed', 'timeout', 'unavailable', 'overloaded', 'internal', 'not_found']);

/**
 * The distributed model as a {@link LogitsSource}: `generate()` runs over it
 * unchanged. The coordinator relays each step hop by hop along a chain of
 * workers covering all layers (workers may be browsers, which cannot accept
 * connections). When a hop fails, the span is re-routed to another holder and
 * the session's token prefix is replayed from position 0, so every stage of
 * the new chain rebuilds its KV cache and the caller sees the same logits.
 */
export class RemotePipeline implements LogitsSource {
  readonly config: ModelConfig;
  private readonly routes = new Map<string, Route>();
  private readonly log: Log;
  /** steps run worker to worker (`chain.step`) */
  chainedSteps = 0;
  /** steps relayed hop by hop through the coordinator */
  relayedSteps = 0;
  /** bytes of logits received from last stages */
  logitsBytes = 0;

  constructor(private readonly opts: RemotePipelineOptions) {
    this.config = opts.model.config;
    this.log = opts.log ?? SILENT_LOG;
  }

  /** The model version this pipeline runs. */
  get model(): PipelineModel {
    return this.opts.model;
  }

  /** Sessions open now. */
  get sessionCount(): number {
    return this.routes.size;
  }

  /** The chain a session runs on (for tests and status pages). */
  routeOf(session: string): { worker: string; start: number; end: number }[] | undefined {
    return this.routes.get(session)?.hops.map((h) => ({ worker: h.worker.id, start: h.start, end: h.end }));
  }

  /** The workers of a session's current chain, in hop order (undefined once closed). */
  servedBy(session: string): WorkerEntry[] | undefined {
    return this.routes.get(session)?.hops.map((h) => h.worker);
  }

  /**
   * A chain that would serve a new session now.
   * @throws NodeError `layers_unavailable` naming what is missing.
   */
  plan(exclude: ReadonlySet<string> = new Set()): Hop[] {
    const { id, version, config } = this.opts.model;
    const candidates = this.opts.registry.ready(id, version).filter((w) => !exclude.has(w.id));
    return routeChain(id, candidates, config.numLayers);
  }

  async forward(
    sessionId: string,
    ids: number[][],
    opts: { mask?: number[][]; pastLength?: number; lastOnly?: boolean } = {},
  ): Promise<HostTensor> {
    this.checkIds(ids, opts.mask);
    const past = opts.pastLength ?? 0;
    const seq = ids[0]!.length;
    if (past + seq > this.config.maxPositions) {
      throw new NodeError(
        'bad_request',
        `Context overflow: ${past + seq} tokens > max ${this.config.maxPositions}`,
      );
    }
    let route = this.routes.get(sessionId);
    if (past === 0) {
      if (route) await this.close(sessionId);
      route = this.openRoute(sessionId, ids.length);
    } else if (!route || route.history[0]!.length !== past) {
      throw new NodeError('unknown_session', `Session ${sessionId} does not hold ${past} tokens here`, {
        details: route ? `it holds ${route.history[0]!.length}` : 'closed, evicted or never opened',
      });
    } else if (route.history.length !== ids.length) {
      throw new NodeError(
        'bad_request',
        `Session ${sessionId} has batch ${route.history.length}, got ${ids.length}`,
      );
    }
    route.lastUsed = Date.now();
    const logits = await this.runWithFailover(sessionId, route, ids, past, opts.lastOnly ?? false);
    ids.forEach((row, b) => {
      route.history[b]!.push(...row);
    });
    this.opts.onStep?.(ids.length * seq);
    return logits;
  }

  async close(sessionId: string): Promise<void> {
    const route = this.routes.get(sessionId);
    if (!route) return;
    this.routes.delete(sessionId);
    this.opts.gate.release();
    this.release(route);
    await Promise.all(
      [...route.opened].map((w) =>
        w.peer.isOpen
          ? w.peer.request('infer.close', { session: sessionId }, { timeoutMs: 5000 }).catch(() => {})
          : undefined,
      ),
    );
  }

  /** Closes every session. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.routes.keys()].map((s) => this.close(s)));
  }

  private openRoute(sessionId: string, batch: number): Route {
    this.evictIdle();
    const hops = this.plan();
    this.opts.gate.acquire();
    const route: Route = {
      hops,
      opened: new Set(),
      excluded: new Set(),
      history: Array.from({ length: batch }, () => []),
      upstream: new Map(),
      relay: false,
      step: 0,
      lastUsed: Date.now(),
    };
    this.acquire(route);
    this.routes.set(sessionId, route);
    return route;
  }

  private async runWithFailover(
    sessionId: string,
    route: Route,
    ids: number[][],
    past: number,
    lastOnly: boolean,
  ): Promise<HostTensor> {
    let replay = false;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!replay) return await this.run(sessionId, route, ids, past, lastOnly);
        const full = ids.map((row, b) => [...route.history[b]!, ...row]);
        const all = await this.run(sessionId, route, full, 0, lastOnly);
        return lastOnly ? all : sliceLastPositions(all, ids[0]!.length);
      } catch (e) {
        if (e instanceof ChainFallback && attempt < MAX_REROUTES) {
          this.log.warn(
            { session: sessionId, code: e.error.code },
            'chained step failed; relaying this session',
          );
          route.relay = true;
          replay = true;
          continue;
        }
        if (!(e instanceof HopFailure)) throw e;
        const { hop, error } = e;
        if (!FAILOVER_CODES.has(error.code)) {
          throw new NodeError(error.code === 'too_large' ? 'too_large' : 'bad_request', error.shortMessage, {
            cause: error,
          });
        }
        if (attempt >= MAX_REROUTES) {
          throw new NodeError(
            'worker_failed',
            `Layers [${hop.start}, ${hop.end}) failed ${attempt + 1} times`,
            { cause: error },
          );
        }
        const replayed = past + ids[0]!.length;
        this.log.warn(
          {
            session: sessionId,
            worker: hop.worker.id.slice(0, 12),
            start: hop.start,
            end: hop.end,
            code: error.code,
            replayed,
          },
          're-routing a failed span',
        );
        route.excluded.add(hop.worker.id);
        route.opened.delete(hop.worker);
        route.upstream.delete(hop.worker);
        this.release(route);
        try {
          route.hops = this.plan(route.excluded);
        } catch (planError) {
          route.hops = [];
          if (error.code === 'overloaded') {
            throw new NodeError(
              'overloaded',
              `Every worker holding layers [${hop.start}, ${hop.end}) is full; retry later`,
              { cause: error },
            );
          }
          throw new NodeError(
            'layers_unavailable',
            `Layers [${hop.start}, ${hop.end}) failed and no other worker holds them`,
            {
              cause: planError,
              details: `${error.code}: ${error.shortMessage}; ${(planError as Error).message}`,
            },
          );
        }
        this.acquire(route);
        this.opts.onFailover?.({
          session: sessionId,
          worker: hop.worker.id,
          span: { start: hop.start, end: hop.end },
          code: error.code,
          replayed,
        });
        replay = true;
      }
    }
  }

  /**
   * Runs `ids` at `position` through the route, in pieces small enough for one
   * reply each (sized for full logits, in case a worker ignores `logitsFrom`).
   * With `lastOnly` it returns the logits of the last position, [batch, 1, vocab].
   */
  private async run(
    sessionId: string,
    route: Route,
    ids: number[][],
    position: number,
    lastOnly = false,
  ): Promise<HostTensor> {
    const batch = ids.length;
    const seq = ids[0]!.length;
    const V = this.config.vocabSize;
    const maxBytes = this.opts.maxStepLogitsBytes ?? MAX_STEP_LOGITS_BYTES;
    const piece = Math.max(1, Math.floor(maxBytes / (batch * V * 4)));
    if (!lastOnly && piece >= seq)
      return checkLogits(toHost(await this.step(sessionId, route, ids, position)), batch, [seq], V);
    const out = lastOnly ? undefined : new Float32Array(batch * seq * V);
    let t!: HostTensor;
    for (let s0 = 0; s0 < seq; s0 += piece) {
      const part = ids.map((row) => row.slice(s0, s0 + piece));
      const n = part[0]!.length;
      // with lastOnly, a worker that ignores logitsFrom returns every position of the piece
      const got = await this.step(sessionId, route, part, position + s0, lastOnly ? n - 1 : undefined);
      t = checkLogits(toHost(got), batch, lastOnly ? [1, n] : [n], V);
      if (!out) continue;
      const data = t.data as Float32Array;
      for (let b = 0; b < batch; b++) out.set(data.subarray(b * n * V, (b + 1) * n * V), (b * seq + s0) * V);
    }
    return out ? { type: 'float32', shape: [batch, seq, V], data: out } : sliceLastPositions(t, 1);
  }

  /** One forward step through every hop: chained worker to worker where possible, else relayed. */
  private async step(
    sessionId: string,
    route: Route,
    ids: number[][],
    position: number,
    logitsFrom?: number,
  ): Promise<Tensor> {
    const step = route.step++;
    const x = idsToWire(ids);
    const { chain } = this.opts;
    let out: Tensor;
    if (chain && !route.relay && chainable(route.hops)) {
      out = await this.chainStep(chain, sessionId, route, x, position, step, logitsFrom);
      this.chainedSteps++;
    } else {
      out = await this.relayStep(sessionId, route, x, position, step, logitsFrom);
      this.relayedSteps++;
    }
    this.logitsBytes += out.data.byteLength;
    return out;
  }

  /**
   * Sends the step to the first worker with the rest of the chain; each worker
   * passes its output to the next, and the last one reports the logits.
   */
  private async chainStep(
    inbox: ChainInbox,
    sessionId: string,
    route: Route,
    x: Tensor,
    position: number,
    step: number,
    logitsFrom?: number,
  ): Promise<Tensor> {
    const timeoutMs = this.opts.hopTimeoutMs ?? DEFAULT_HOP_TIMEOUT_MS;
    const { hops } = route;
    await Promise.all(
      hops.map(async (hop, i) => {
        const upstream = i === 0 ? undefined : hops[i - 1]!.worker.id;
        const w = hop.worker;
        if (route.opened.has(w) && route.upstream.has(w) && route.upstream.get(w) === upstream) return;
        if (!this.opts.registry.isLive(w))
          throw new HopFailure(hop, new ProtocolError('closed', 'worker disconnected'));
        inbox.listen(w.peer);
        try {
          await w.peer.request(
            'chain.open',
            {
              session: sessionId,
              span: { model: this.opts.model.id, start: hop.start, end: hop.end },
              maxContext: this.config.maxPositions,
              ...(upstream ? { upstream } : {}),
            },
            { timeoutMs },
          );
        } catch (e) {
          throw new HopFailure(hop, ProtocolError.from(e));
        }
        route.opened.add(w);
        route.upstream.set(w, upstream);
      }),
    );
    const t0 = performance.now();
    const outcome = inbox.wait(
      sessionId,
      step,
      timeoutMs,
      hops.map((h) => h.worker.peer),
    );
    try {
      await hops[0]!.worker.peer.notify('chain.step', {
        session: sessionId,
        step,
        position,
        input: x,
        next: hops.slice(1).map((h) => ({ node: h.worker.id, url: h.worker.want!.link! })),
        ...(logitsFrom !== undefined ? { logitsFrom } : {}),
      });
    } catch (e) {
      outcome.catch(() => {});
      throw new HopFailure(hops[0]!, ProtocolError.from(e));
    }
    let o: Awaited<typeof outcome>;
    try {
      o = await outcome;
    } catch (e) {
      throw new ChainFallback(ProtocolError.from(e));
    }
    if ('output' in o) {
      // a chained step shows only its total: each hop is credited with its share
      const ms = (performance.now() - t0) / hops.length;
      for (const h of hops) this.opts.registry.recordLatency(h.worker, ms);
      this.opts.onHop?.(ms);
      return o.output;
    }
    const at = hops.findIndex((h) => h.worker.peer === o.from);
    const blamed = at < 0 ? undefined : o.error.at === 'next' ? hops[at + 1] : hops[at];
    const error = new ProtocolError(o.error.code, o.error.message);
    if (!blamed || !FAILOVER_CODES.has(error.code)) throw new ChainFallback(error);
    // a next node that is still connected here is unreachable only from its upstream: relay instead
    if (o.error.at === 'next' && this.opts.registry.isLive(blamed.worker)) throw new ChainFallback(error);
    throw new HopFailure(blamed, error);
  }

  /** Relays the step hop by hop through the coordinator. */
  private async relayStep(
    sessionId: string,
    route: Route,
    input: Tensor,
    position: number,
    step: number,
    logitsFrom?: number,
  ): Promise<Tensor> {
    const { registry } = this.opts;
    const timeoutMs = this.opts.hopTimeoutMs ?? DEFAULT_HOP_TIMEOUT_MS;
    let x = input;
    for (const hop of route.hops) {
      const w = hop.worker;
      if (!registry.isLive(w)) throw new HopFailure(hop, new ProtocolError('closed', 'worker disconnected'));
      const t0 = performance.now();
      try {
        const open = route.opened.has(w)
          ? undefined
          : w.peer.request(
              'infer.open',
              {
                session: sessionId,
                span: { model: this.opts.model.id, start: hop.start, end: hop.end },
                maxContext: this.config.maxPositions,
              },
              { timeoutMs },
            );
        const fwd = w.peer.request(
          'infer.forward',
          {
            session: sessionId,
            step,
            position,
            input: x,
            ...(logitsFrom !== undefined ? { logitsFrom } : {}),
          },
          { timeoutMs },
        );
        if (open) {
          // the forward is queued behind the open on the same socket; await both so an open refusal wins
          const [o, f] = await Promise.allSettled([open, fwd]);
          if (o.status === 'rejected') throw o.reason;
          route.opened.add(w);
          if (f.status === 'rejected') throw f.reason;
          x = f.value.output;
        } else {
          x = (await fwd).output;
        }
      } catch (e) {
        throw new HopFailure(hop, ProtocolError.from(e));
      }
      const ms = performance.now() - t0;
      registry.recordLatency(w, ms);
      this.opts.onHop?.(ms);
    }
    return x;
  }

  private acquire(route: Route): void {
    for (const h of route.hops) h.worker.sessions++;
  }

  private release(route: Route): void {
    for (const h of route.hops) h.worker.sessions = Math.max(0, h.worker.sessions - 1);
  }

  private evictIdle(): void {
    const limit = Date.now() - (this.opts.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS);
    for (const [id, r] of this.routes) if (r.lastUsed < limit) void this.close(id);
  }

  private checkIds(ids: number[][], mask: number[][] | undefined): void {
    const seq = ids[0]?.length ?? 0;
    if (ids.length === 0 || seq === 0) throw new NodeError('bad_request', 'No tokens to run');
    const V = this.config.vocabSize;
    for (const row of ids) {
      if (row.length !== seq) throw new NodeError('bad_request', 'All rows of a batch need the same length');
      for (const id of row) {
        if (!Number.isInteger(id) || id < 0 || id >= V)
          throw new NodeError('bad_request', `Token id ${id} is outside the vocabulary [0, ${V})`);
      }
    }
    if (mask?.some((row) => row.some((m) => m !== 1))) {
      throw new NodeError(
        'bad_request',
        'Padding masks are not carried over the network; send one row per session',
      );
    }
  }
}

/** A chain can pass steps worker to worker when every worker after the first accepts links. */
function chainable(hops: readonly Hop[]): boolean {
  return hops.length > 1 && hops.slice(1).every((h) => h.worker.want?.link);
}

function toHost(t: Tensor): HostTensor {
  if (t.dtype !== 'f32') throw new NodeError('internal', `The last stage returned ${t.dtype} logits`);
  return { type: 'float32', shape: [...t.shape], data: t.data };
}

/** `t` if it is [batch, rows, V] for one of the allowed row counts. */
function checkLogits(t: HostTensor, batch: number, rows: number[], V: number): HostTensor {
  const [b, n, v] = t.shape;
  if (t.shape.length !== 3 || b !== batch || v !== V || !rows.includes(n!)) {
    throw new NodeError('internal', `The last stage returned logits of shape [${t.shape.join(', ')}]`, {
      details: `expected [${batch}, ${rows.join(' or ')}, ${V}]`,
    });
  }
  return t;
}

/** Logits of the last `n` positions of [batch, seq, V]. */
function sliceLastPositions(t: HostTensor, n: number): HostTensor {
  const [batch, seq, V] = t.shape as [number, number, number];
  if (seq === n) return t;
  const out = new Float32Array(batch * n * V);
  const data = t.data as Float32Array;
  for (let b = 0; b < batch; b++)
    out.set(data.subarray((b * seq + seq - n) * V, (b * seq + seq) * V), b * n * V);
  return { type: 'float32', shape: [batch, n, V], data: out };
}
