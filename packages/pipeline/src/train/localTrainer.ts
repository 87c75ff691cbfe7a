import type { Backend } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { Weight, WeightMap } from '../families/weights';
import { AdamW } from './optimizer/adamW';
import { checkFinite } from './optimizer/checkFinite';
import { clipScale, globalGradNorm } from './optimizer/clipGradNorm';
import { learningRate } from './optimizer/learningRate';
import {
  checkOptimizerOptions,
  DEFAULT_MAX_GRAD_NORM,
  DEFAULT_MIN_LR_RATIO,
  type OptimizerOptions,
} from './optimizerOptions';
import { type PreparedBatch, prepareBatch, type TokenBatch } from './tokenBatch';
import { TrainingPipeline } from './trainingPipeline';
import type { GradArray } from './trainingStage';

/** Options of {@link LocalTrainer}. */
export interface LocalTrainerOptions {
  config: ModelConfig;
  /** starting weights; the trainer works on a copy */
  weights: WeightMap;
  backend: Backend;
  optimizer: OptimizerOptions;
  /** optimizer steps the learning-rate schedule spans (default `optimizer.totalSteps`, else 1) */
  totalSteps?: number;
  /** layer spans of the local pipeline (default one stage) */
  spans?: readonly LayerSpan[];
  /** see {@link TrainingGraphOptions.lossGradient} */
  lossGradient?: 'fused' | 'autodiff';
}

/** Outcome of one optimizer step. */
export interface TrainStepResult {
  /** mean loss over the step's scored positions (before the update) */
  loss: number;
  /** scored positions in the step */
  targets: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  /** learning rate applied */
  lr: number;
}

/**
 * Weights + AdamW state + a compiled training pipeline. Each {@link step}
 * accumulates the gradients of its micro-batches (weighted by scored
 * positions, so the result is the gradient of the mean over all of them),
 * checks them for NaN/Inf, clips the global norm and applies AdamW.
 */
export class LocalTrainer {
  /** the working weights (float32 copies, updated in place) */
  readonly weights: Map<string, Weight>;
  private readonly adam: AdamW;
  private readonly pipeline: TrainingPipeline;
  private readonly totalSteps: number;

  /** @throws PipelineError `bad_input` for invalid optimizer options. */
  constructor(private readonly opts: LocalTrainerOptions) {
    checkOptimizerOptions(opts.optimizer);
    this.weights = new Map(
      [...opts.weights].map(([k, w]) => [k, { shape: [...w.shape], data: Float32Array.from(w.data) }]),
    );
    this.adam = new AdamW(opts.optimizer);
    this.totalSteps = opts.totalSteps ?? opts.optimizer.totalSteps ?? 1;
    this.pipeline = new TrainingPipeline({
      config: opts.config,
      weights: this.weights,
      backend: opts.backend,
      ...(opts.spans ? { spans: opts.spans } : {}),
      ...(opts.lossGradient ? { lossGradient: opts.lossGradient } : {}),
    });
  }

  /** optimizer steps taken */
  get steps(): number {
    return this.adam.steps;
  }

  /** One optimizer step over `microBatches` (gradient accumulation). */
  async step(
    microBatches: readonly (TokenBatch | PreparedBatch)[],
    signal?: AbortSignal,
  ): Promise<TrainStepResult> {
    if (microBatches.length === 0)
      throw new PipelineError('empty_input', 'An optimizer step needs at least one batch');
    const prepared = microBatches.map((b) => ('labels' in b ? b : prepareBatch(b, this.opts.config)));
    const total = prepared.reduce((s, b) => s + b.targets, 0);
    let acc: Map<string, GradArray> | undefined;
    let loss = 0;
    for (const b of prepared) {
      throwIfAborted(signal);
      const r = await this.pipeline.gradients(this.weights, b);
      if (!Number.isFinite(r.loss)) checkFinite(r.loss, r.grads);
      const w = b.targets / total;
      loss += w * r.loss;
      if (prepared.length === 1) acc = r.grads;
      else {
        acc ??= new Map([...r.grads].map(([k, g]) => [k, new Float32Array(g.length)]));
        for (const [k, g] of r.grads) {
          const a = acc.get(k)!;
          for (let i = 0; i < a.length; i++) a[i]! += w * g[i]!;
        }
      }
    }
    throwIfAborted(signal);
    const grads = acc!;
    // one pass gives the clipping norm and the NaN/Inf check (a non-finite element makes the norm non-finite)
    const gradNorm = globalGradNorm(grads.values());
    if (!Number.isFinite(gradNorm)) {
      checkFinite(loss, grads);
      throw new PipelineError('non_finite', `Gradient norm overflowed (${gradNorm})`, {
        details: 'Weights were left unchanged.',
      });
    }
    const o = this.opts.optimizer;
    const lr = learningRate(this.adam.steps, {
      lr: o.lr,
      totalSteps: this.totalSteps,
      minLrRatio: o.minLrRatio ?? DEFAULT_MIN_LR_RATIO,
      ...(o.warmupSteps !== undefined ? { warmupSteps: o.warmupSteps } : {}),
    });
    this.adam.step(this.weights, grads, lr, clipScale(gradNorm, o.maxGradNorm ?? DEFAULT_MAX_GRAD_NORM));
    return { loss, targets: total, gradNorm, lr };
  }

  /** Token-weighted mean loss over `batches` at the current weights. */
  async evaluate(batches: readonly (TokenBatch | PreparedBatch)[]): Promise<number> {
    if (batches.length === 0) throw new PipelineError('empty_input', 'Evaluation needs at least one batch');
    let sum = 0;
    let n = 0;
    for (const b of batches) {
      const r = await this.pipeline.loss(this.weights, b);
      sum += r.loss * r.targets;
      n += r.targets;
    }
    return sum / n;
  }

  /** Loss and gradients of one batch at the current weights (no update). */
  gradients(batch: TokenBatch | PreparedBatch) {
    return this.pipeline.gradients(this.weights, batch);
  }

  /** Releases the compiled sessions. */
  dispose(): Promise<void> {
    return this.pipeline.dispose();
  }
}

/** Throws `cancelled` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new PipelineError('cancelled', 'Training was cancelled', { cause: signal.reason });
}
