import type { Backend, CompiledGraph, HostTensor } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { WeightFormat } from '../families/family';
import type { WeightMap } from '../families/weights';
import { buildStageGraph } from '../stage/buildStageGraph';
import { type StageIo, stageIo } from '../stage/stageIo';
import { attentionBias, positionIds } from './attentionBias';

/** Per-session state a stage keeps between forwards. */
interface SessionState {
  batch: number;
  /** tokens already in the cache (including padding) */
  length: number;
  /** [batch, length] 1 = real token, 0 = padding */
  mask: Uint8Array;
  keys: HostTensor[];
  values: HostTensor[];
  lastUsed: number;
}

export interface StageOptions {
  /** max sessions kept; the least recently used idle one is evicted beyond it */
  maxSessions?: number;
  /** sessions idle longer than this are evicted (ms) */
  idleTimeoutMs?: number;
  /** injected clock for tests */
  now?: () => number;
  /** projection weight format (default f32) */
  weightFormat?: WeightFormat;
}

/** Input of one forward step: token ids (first stage) or hidden states (later stages). */
export interface StageForward {
  /** [batch, seq] int64 ids on the first stage, [batch, seq, D] float hidden states otherwise */
  input: HostTensor;
  /** [batch, seq] 1 for real tokens, 0 for padding; default all ones */
  mask?: Uint8Array;
  /**
   * Tokens the caller believes are cached for this session (default 0, which
   * opens a new session). A mismatch means the session was closed or evicted.
   */
  pastLength?: number;
  /**
   * Last stage: the first position of this step whose logits are returned
   * (default 0, every position); `seq − 1` returns the last one only. Other
   * stages ignore it.
   */
  logitsFrom?: number;
}

/**
 * One pipeline stage: the compiled graph of layers [start, end) plus the
 * per-session KV cache. Decoding one token costs one forward of one position.
 */
export class Stage {
  readonly io: StageIo;
  private readonly sessions = new Map<string, SessionState>();
  private readonly now: () => number;

  private constructor(
    readonly cfg: ModelConfig,
    readonly span: LayerSpan,
    private readonly compiled: CompiledGraph,
    private readonly opts: StageOptions,
  ) {
    this.io = stageIo(cfg, span);
    this.now = opts.now ?? Date.now;
  }

  /** Builds and compiles the stage graph for `span` on `backend`. */
  static async create(
    cfg: ModelConfig,
    weights: WeightMap,
    span: LayerSpan,
    backend: Backend,
    opts: StageOptions = {},
  ): Promise<Stage> {
    const sg = buildStageGraph(cfg, weights, span, {
      logitsFrom: true,
      ...(opts.weightFormat ? { weightFormat: opts.weightFormat } : {}),
    });
    return new Stage(cfg, span, await backend.compile(sg.graph), opts);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Tokens cached for a session (0 when unknown). */
  sessionLength(id: string): number {
    return this.sessions.get(id)?.length ?? 0;
  }

  /** Runs new positions of a session through the stage, extending its KV cache. */
  async forward(sessionId: string, step: StageForward): Promise<HostTensor> {
    const { cfg } = this;
    const shape = step.input.shape;
    const batch = shape[0]!;
    const seq = shape[1]!;
    if (!batch || !seq)
      throw new PipelineError('empty_input', 'Forward called with an empty batch or sequence');
    this.checkInput(step.input);
    const mask = step.mask ?? new Uint8Array(batch * seq).fill(1);
    if (mask.length !== batch * seq)
      throw new PipelineError('bad_input', `mask has ${mask.length} entries, expected ${batch * seq}`);
    const logitsFrom = step.logitsFrom ?? 0;
    if (!(Number.isInteger(logitsFrom) && logitsFrom >= 0 && logitsFrom < seq)) {
      throw new PipelineError(
        'bad_input',
        `logitsFrom ${logitsFrom} is not a position of this step (0 to ${seq - 1})`,
      );
    }
    this.evictIdle();
    const expected = step.pastLength ?? 0;
    let s = this.sessions.get(sessionId);
    if (expected === 0) {
      this.sessions.delete(sessionId);
      s = this.openSession(sessionId, batch);
    } else if (!s || s.length !== expected) {
      throw new PipelineError(
        'unknown_session',
        `Session ${sessionId} is not cached with ${expected} tokens here`,
        {
          details: s ? `cached length is ${s.length}` : 'the session was closed, evicted or never opened',
        },
      );
    }
    if (s.batch !== batch)
      throw new PipelineError('bad_input', `Session ${sessionId} has batch ${s.batch}, got ${batch}`);
    const past = s.length;
    if (past + seq > cfg.maxPositions) {
      throw new PipelineError(
        'context_overflow',
        `Context overflow: ${past + seq} tokens > max ${cfg.maxPositions}`,
      );
    }
    const fullMask = new Uint8Array(batch * (past + seq));
    for (let b = 0; b < batch; b++) {
      fullMask.set(s.mask.subarray(b * past, (b + 1) * past), b * (past + seq));
      fullMask.set(mask.subarray(b * seq, (b + 1) * seq), b * (past + seq) + past);
    }
    const feeds: Record<string, HostTensor> = {
      [this.io.input]: step.input,
      attn_bias: {
        type: 'float32',
        shape: [batch, 1, seq, past + seq],
        data: attentionBias(fullMask, batch, past, seq),
      },
    };
    if (this.io.needsPositions) {
      feeds.position_ids = {
        type: 'int64',
        shape: [batch, seq],
        data: positionIds(fullMask, batch, past, seq),
      };
    }
    if (this.io.last)
      feeds.logits_from = { type: 'int64', shape: [1], data: BigInt64Array.of(BigInt(logitsFrom)) };
    this.io.layers.forEach((layer, j) => {
      feeds[`past_key.${layer}`] = s.keys[j]!;
      feeds[`past_value.${layer}`] = s.values[j]!;
    });
    const out = await this.compiled.run(feeds);
    this.io.layers.forEach((layer, j) => {
      s.keys[j] = out[`present_key.${layer}`]!;
      s.values[j] = out[`present_value.${layer}`]!;
    });
    s.mask = fullMask;
    s.length = past + seq;
    s.lastUsed = this.now();
    return out[this.io.output]!;
  }

  /** Drops a session's KV cache. */
  close(sessionId: string): boolean {
    return this.sessions.delete(sessionId);
  }

  /** Whether the stage holds a KV cache for this session. */
  has(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  async dispose(): Promise<void> {
    this.sessions.clear();
    await this.compiled.dispose();
  }

  private openSession(id: string, batch: number): SessionState {
    const { numKvHeads: H, headDim: hd } = this.cfg;
    const max = this.opts.maxSessions ?? 64;
    if (this.sessions.size >= max) {
      let oldest: [string, SessionState] | undefined;
      for (const e of this.sessions) if (!oldest || e[1].lastUsed < oldest[1].lastUsed) oldest = e;
      if (oldest) this.sessions.delete(oldest[0]);
    }
    const empty = (): HostTensor => ({
      type: 'float32',
      shape: [batch, H, 0, hd],
      data: new Float32Array(0),
    });
    const s: SessionState = {
      batch,
      length: 0,
      mask: new Uint8Array(0),
      keys: this.io.layers.map(empty),
      values: this.io.layers.map(empty),
      lastUsed: this.now(),
    };
    this.sessions.set(id, s);
    return s;
  }

  private evictIdle(): void {
    const idle = this.opts.idleTimeoutMs;
    if (!idle) return;
    const t = this.now();
    for (const [id, s] of this.sessions) if (t - s.lastUsed > idle) this.sessions.delete(id);
  }

  private checkInput(input: HostTensor): void {
    const { cfg } = this;
    if (this.io.first) {
      if (input.type !== 'int64' || input.shape.length !== 2) {
        throw new PipelineError('bad_input', 'The first stage takes int64 token ids [batch, seq]');
      }
      for (const id of input.data as BigInt64Array) {
        if (id < 0n || id >= BigInt(cfg.vocabSize)) {
          throw new PipelineError(
            'token_out_of_range',
            `Token id ${id} is outside the vocabulary [0, ${cfg.vocabSize})`,
          );
        }
      }
    } else if (input.type !== 'float32' || input.shape.length !== 3 || input.shape[2] !== cfg.hiddenSize) {
      throw new PipelineError(
        'bad_input',
        `Stage ${this.span.start} takes hidden states [batch, seq, ${cfg.hiddenSize}]`,
      );
    }
  }
}
