import type { FloatDType } from './dtype';
import type { ModelConfig } from './modelConfig';
import { modelTensors, parameterCount } from './modelTensors';
import { type ChunkLayout, type PlannedChunk, type PlanOptions, planLayout } from './planLayout';

/** Options for {@link planModel}. */
export interface PlanModelOptions extends PlanOptions {
  /** weight dtype (default `f32`) */
  dtype?: FloatDType;
}

/** The chunk plan of a model; `chunks`, `totalBytes` and `params` are what `ailo model plan --json` prints. */
export interface ModelPlan {
  chunks: PlannedChunk[];
  /** bytes */
  totalBytes: number;
  params: number;
  /** full placement of every tensor */
  layout: ChunkLayout;
}

/**
 * Plans the chunks of a model from its config alone (no weights): the
 * tensors of {@link modelTensors} in canonical order, stored as `dtype`.
 * A pack of a checkpoint with exactly these tensors yields the same chunks.
 */
export function planModel(config: ModelConfig, opts: PlanModelOptions = {}): ModelPlan {
  const dtype = opts.dtype ?? 'f32';
  const inputs = modelTensors(config).map((t) => ({ ...t, dtype }));
  const { dtype: _d, ...planOpts } = opts;
  const layout = planLayout(inputs, config.numLayers, planOpts);
  return { chunks: layout.chunks, totalBytes: layout.totalBytes, params: parameterCount(config), layout };
}
