import type { Backend } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { Weight, WeightMap } from '../families/weights';
import { seededShuffle } from './data/seededShuffle';
import { LocalTrainer, throwIfAborted } from './localTrainer';
import { checkOptimizerOptions, type OptimizerOptions } from './optimizerOptions';
import { prepareBatch, type TokenBatch } from './tokenBatch';

/** Progress after each optimizer step. */
export interface TrainingProgress {
  epoch: number;
  /** optimizer steps done (1-based) */
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** scored positions so far */
  tokens: number;
  elapsedMs: number;
}

/** Options of {@link trainLocal}. */
export interface LocalTrainingOptions {
  model: { config: ModelConfig; weights: WeightMap };
  /** the local dataset, already batched; each batch is one micro-batch */
  batches: readonly TokenBatch[];
  /** passes over `batches` (default 1) */
  epochs?: number;
  optimizer: OptimizerOptions;
  backend: Backend;
  /** layer spans when the model trains as a local pipeline (default one stage) */
  stages?: readonly LayerSpan[];
  /** batch order is reshuffled each epoch from this seed; default: the given order */
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainingProgress) => void;
}

/** What a {@link trainLocal} run measured. */
export interface LocalTrainingMetrics {
  steps: number;
  /** scored positions trained on (all epochs) */
  tokens: number;
  /** loss of each optimizer step, before its update */
  losses: number[];
  firstLoss: number;
  lastLoss: number;
  seconds: number;
  /** input tokens (batch × seq, all epochs) per second of training */
  tokensPerSecond: number;
}

/** Result of {@link trainLocal}. */
export interface LocalTrainingResult {
  /** M_start − M_end per weight: the FedAvg pseudo-gradient */
  update: Map<string, Float32Array>;
  /** sequences with at least one scored position in one pass over the data (FedAvg's n_k) */
  numSamples: number;
  metrics: LocalTrainingMetrics;
  /** M_end */
  weights: Map<string, Weight>;
}

/**
 * Trains a model locally for federated learning and returns the update
 * Δ = M_start − M_end with the sample count. Every batch is validated before
 * the first step; the caller's weights are never modified. AdamW with
 * warmup + cosine decay, global-norm clipping and gradient accumulation;
 * NaN/Inf stops training with `non_finite` before any bad update.
 * @throws PipelineError `empty_input`, `bad_input`, `token_out_of_range`,
 *   `context_overflow`, `non_finite`, `cancelled`.
 */
export async function trainLocal(opts: LocalTrainingOptions): Promise<LocalTrainingResult> {
  const { config, weights } = opts.model;
  const epochs = opts.epochs ?? 1;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new PipelineError('bad_input', `epochs must be an integer >= 1, got ${epochs}`);
  checkOptimizerOptions(opts.optimizer);
  if (opts.batches.length === 0) throw new PipelineError('empty_input', 'The training dataset is empty');
  let numSamples = 0;
  let inputTokens = 0;
  for (const b of opts.batches) {
    numSamples += prepareBatch(b, config).sequences;
    inputTokens += b.batch * b.seq;
  }
  const accum = opts.optimizer.accumulationSteps ?? 1;
  const stepsPerEpoch = Math.ceil(opts.batches.length / accum);
  const totalSteps = opts.optimizer.totalSteps ?? stepsPerEpoch * epochs;
  const trainer = new LocalTrainer({
    config,
    weights,
    backend: opts.backend,
    optimizer: opts.optimizer,
    totalSteps,
    ...(opts.stages ? { spans: opts.stages } : {}),
  });
  const start = performance.now();
  const losses: number[] = [];
  let tokens = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order =
        opts.seed === undefined ? [...opts.batches] : seededShuffle(opts.batches, opts.seed + epoch);
      for (let i = 0; i < order.length; i += accum) {
        throwIfAborted(opts.signal);
        const r = await trainer.step(order.slice(i, i + accum), opts.signal);
        losses.push(r.loss);
        tokens += r.targets;
        opts.onProgress?.({
          epoch,
          step: trainer.steps,
          totalSteps,
          loss: r.loss,
          lr: r.lr,
          gradNorm: r.gradNorm,
          tokens,
          elapsedMs: performance.now() - start,
        });
      }
    }
  } finally {
    await trainer.dispose();
  }
  // the FedAvg pseudo-gradient Δ = M_start − M_end (a plain loop: Float32Array.from with a
  // map function is ~30× slower on multi-million-element tensors)
  const update = new Map<string, Float32Array>();
  for (const [k, w] of weights) {
    const end = trainer.weights.get(k)!.data;
    const delta = new Float32Array(w.data.length);
    for (let i = 0; i < delta.length; i++) delta[i] = w.data[i]! - end[i]!;
    update.set(k, delta);
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    update,
    numSamples,
    weights: trainer.weights,
    metrics: {
      steps: losses.length,
      tokens,
      losses,
      firstLoss: losses[0]!,
      lastLoss: losses[losses.length - 1]!,
      seconds,
      tokensPerSecond: (inputTokens * epochs) / seconds,
    },
  };
}
