import { PipelineError } from '../errors';
import type { AdamWOptions } from './optimizer/adamW';

/** Host-side optimizer settings for local training. */
export interface OptimizerOptions extends AdamWOptions {
  /** peak learning rate (> 0) */
  lr: number;
  /** linear warmup steps (default 0) */
  warmupSteps?: number;
  /** cosine floor as a fraction of lr (default 0.1) */
  minLrRatio?: number;
  /** optimizer steps the schedule spans; default: the steps of the run */
  totalSteps?: number;
  /** global gradient-norm clip (default 1); `Infinity` disables */
  maxGradNorm?: number;
  /** micro-batches accumulated per optimizer step (default 1) */
  accumulationSteps?: number;
}

/** Default cosine floor: decay to 10% of the peak rate. */
export const DEFAULT_MIN_LR_RATIO = 0.1;
/** Default global-norm clip (GPT-2 / nanoGPT practice). */
export const DEFAULT_MAX_GRAD_NORM = 1;

/** @throws PipelineError `bad_input` naming the first invalid option. */
export function checkOptimizerOptions(o: OptimizerOptions): void {
  const bad = (m: string) => new PipelineError('bad_input', `Invalid optimizer option: ${m}`);
  if (!(Number.isFinite(o.lr) && o.lr > 0)) throw bad(`lr must be a finite number > 0, got ${o.lr}`);
  const int = (v: number | undefined, name: string, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min))
      throw bad(`${name} must be an integer >= ${min}, got ${v}`);
  };
  int(o.warmupSteps, 'warmupSteps', 0);
  int(o.totalSteps, 'totalSteps', 1);
  int(o.accumulationSteps, 'accumulationSteps', 1);
  const inUnit = (v: number | undefined, name: string) => {
    if (v !== undefined && !(v >= 0 && v < 1)) throw bad(`${name} must be in [0, 1), got ${v}`);
  };
  inUnit(o.beta1, 'beta1');
  inUnit(o.beta2, 'beta2');
  if (o.minLrRatio !== undefined && !(o.minLrRatio >= 0 && o.minLrRatio <= 1))
    throw bad(`minLrRatio must be in [0, 1], got ${o.minLrRatio}`);
  if (o.eps !== undefined && !(o.eps > 0)) throw bad(`eps must be > 0, got ${o.eps}`);
  if (o.weightDecay !== undefined && !(o.weightDecay >= 0 && Number.isFinite(o.weightDecay))) {
    throw bad(`weightDecay must be a finite number >= 0, got ${o.weightDecay}`);
  }
  if (o.maxGradNorm !== undefined && !(o.maxGradNorm > 0))
    throw bad(`maxGradNorm must be > 0, got ${o.maxGradNorm}`);
}
