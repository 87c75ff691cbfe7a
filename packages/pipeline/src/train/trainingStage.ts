import type { Backend, CompiledGraph, HostTensor } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import { FAMILIES } from '../families/index';
import type { WeightMap } from '../families/weights';
import { buildStageGraph } from '../stage/buildStageGraph';
import { buildTrainingGraph, type TrainingGraph, type TrainingGraphMode } from './buildTrainingGraph';
import { GRAD_PREFIX } from './constants';
import { resolveWeightName } from './resolveWeightName';
import type { PreparedBatch } from './tokenBatch';

/** Gradient values as a backend returns them (float64 on `ref`). */
export type GradArray = Float32Array | Float64Array;

/** Result of a stage's backward run. */
export interface StageGradients {
  /** mean cross-entropy of the batch (last stage only) */
  loss?: number;
  /** d loss / d parameter, keyed by the model's weight name, HF shape */
  grads: Map<string, GradArray>;
  /** d loss / d hidden_in [batch, seq, D] (not on the first stage) */
  gradIn?: HostTensor;
}

/** Options of {@link TrainingStage.create}. */
export interface TrainingStageOptions {
  batch: number;
  seq: number;
  /** see {@link TrainingGraphOptions.lossGradient} */
  lossGradient?: 'fused' | 'autodiff';
}

/**
 * One pipeline stage prepared for training at a fixed (batch, seq): the
 * training graph (and a forward-only graph on non-last stages) compiled once;
 * weights are fed on every run, so one compiled session serves every step.
 *
 * Memory/compute: a run keeps every activation of the stage until its
 * backward consumes it (no per-op recomputation; LayerNorm statistics are
 * recomputed). A non-last stage runs its forward twice per step: once to
 * send `hidden_out` downstream, once inside the training graph when
 * `grad_out` comes back — so nothing is held between the two phases.
 */
export class TrainingStage {
  private readonly compiled = new Map<
    TrainingGraphMode,
    Promise<{ tg: TrainingGraph; run: CompiledGraph }>
  >();
  /** graph parameter name → model weight name */
  readonly weightNames: Map<string, string>;

  private constructor(
    readonly config: ModelConfig,
    readonly span: LayerSpan,
    private readonly backend: Backend,
    private readonly opts: TrainingStageOptions,
    private readonly build: (mode: TrainingGraphMode) => TrainingGraph,
    readonly train: TrainingGraph,
    private readonly trainRun: CompiledGraph,
    weights: WeightMap,
  ) {
    this.weightNames = new Map();
    const prefixes = FAMILIES[config.architecture].prefixes;
    for (const p of train.params) {
      const key = resolveWeightName(weights, p.name, prefixes);
      if (!key) throw new PipelineError('bad_weights', `Missing weight ${p.name}`);
      this.weightNames.set(p.name, key);
    }
  }

  /** Builds and compiles the training graph of layers `span`. */
  static async create(
    config: ModelConfig,
    weights: WeightMap,
    span: LayerSpan,
    backend: Backend,
    opts: TrainingStageOptions,
  ): Promise<TrainingStage> {
    const sg = buildStageGraph(config, weights, span);
    const build = (mode: TrainingGraphMode) =>
      buildTrainingGraph(sg.graph, {
        batch: opts.batch,
        seq: opts.seq,
        mode,
        ...(opts.lossGradient ? { lossGradient: opts.lossGradient } : {}),
      });
    const train = build('train');
    return new TrainingStage(
      config,
      span,
      backend,
      opts,
      build,
      train,
      await backend.compile(train.graph),
      weights,
    );
  }

  /** the stage takes token ids */
  get first(): boolean {
    return this.train.first;
  }
  /** the stage computes the loss */
  get last(): boolean {
    return this.train.last;
  }

  /** `hidden_out` of a non-last stage (forward only). */
  async forward(weights: WeightMap, input: HostTensor, batch: PreparedBatch): Promise<HostTensor> {
    if (this.last) throw new PipelineError('bad_input', 'The last stage has no hidden_out; use backward()');
    const { tg, run } = await this.graph('forward');
    return (await run.run(this.feeds(tg, weights, input, batch)))['hidden_out']!;
  }

  /** Mean loss of the batch without gradients (last stage). */
  async loss(weights: WeightMap, input: HostTensor, batch: PreparedBatch): Promise<number> {
    if (!this.last) throw new PipelineError('bad_input', 'Only the last stage computes a loss');
    const { tg, run } = await this.graph('loss');
    const out = await run.run({
      ...this.feeds(tg, weights, input, batch),
      labels: int64(batch.labels, [batch.batch, batch.seq]),
    });
    return Number(out['loss']!.data[0]);
  }

  /**
   * Forward + backward of the stage. The last stage scores the batch labels;
   * other stages take `gradOut` = d loss / d hidden_out from the next stage.
   */
  async backward(
    weights: WeightMap,
    input: HostTensor,
    batch: PreparedBatch,
    gradOut?: HostTensor,
  ): Promise<StageGradients> {
    const feeds = this.feeds(this.train, weights, input, batch);
    if (this.last) feeds['labels'] = int64(batch.labels, [batch.batch, batch.seq]);
    else {
      if (!gradOut) throw new PipelineError('bad_input', 'A non-last stage needs grad_out');
      feeds['grad_out'] = gradOut;
    }
    const out = await this.trainRun.run(feeds);
    const grads = new Map<string, GradArray>();
    for (const [name, key] of this.weightNames) grads.set(key, out[GRAD_PREFIX + name]!.data as GradArray);
    const res: StageGradients = { grads };
    if (this.last) res.loss = Number(out['loss']!.data[0]);
    if (!this.first) res.gradIn = out['grad_in']!;
    return res;
  }

  /** Releases every compiled session of the stage. */
  async dispose(): Promise<void> {
    await this.trainRun.dispose();
    for (const c of this.compiled.values()) await (await c).run.dispose();
    this.compiled.clear();
  }

  private graph(mode: TrainingGraphMode): Promise<{ tg: TrainingGraph; run: CompiledGraph }> {
    let c = this.compiled.get(mode);
    if (!c) {
      const tg = this.build(mode);
      c = this.backend.compile(tg.graph).then((run) => ({ tg, run }));
      this.compiled.set(mode, c);
    }
    return c;
  }

  /** Feeds of `tg`'s inputs except labels / grad_out. */
  private feeds(
    tg: TrainingGraph,
    weights: WeightMap,
    input: HostTensor,
    batch: PreparedBatch,
  ): Record<string, HostTensor> {
    const { batch: B, seq: S } = batch;
    if (B !== this.opts.batch || S !== this.opts.seq) {
      throw new PipelineError(
        'bad_input',
        `Stage compiled for ${this.opts.batch} x ${this.opts.seq}, got ${B} x ${S}`,
      );
    }
    const feeds: Record<string, HostTensor> = {
      [this.first ? 'input_ids' : 'hidden_in']: input,
      attn_bias: { type: 'float32', shape: [B, 1, S, S], data: batch.attnBias },
    };
    const inputs = new Set(tg.graph.inputs.map((i) => i.name));
    if (inputs.has('position_ids')) feeds['position_ids'] = int64(batch.positionIds, [B, S]);
    for (const p of tg.params) {
      if (!inputs.has(p.name)) continue;
      const w = weights.get(this.weightNames.get(p.name)!);
      if (!w) throw new PipelineError('bad_weights', `Missing weight ${p.name}`);
      feeds[p.name] = { type: 'float32', shape: p.shape, data: w.data };
    }
    return feeds;
  }
}

function int64(data: BigInt64Array, shape: number[]): HostTensor {
  return { type: 'int64', shape, data };
}
