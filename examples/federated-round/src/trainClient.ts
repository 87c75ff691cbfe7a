import { type Backend, type TokenBatch, trainLocal } from '@ailo/pipeline';
import type { GlobalModel } from './globalModel';

/** A client's local training outcome. */
export interface LocalUpdate {
  /** Δ_k = M_t − M_k per HF tensor name */
  delta: Map<string, Float32Array>;
  /** n_k: sequences trained on */
  numSamples: number;
  /** training loss of the first and last step (nats/token) */
  firstLoss: number;
  lastLoss: number;
}

/**
 * Local training on the client's own shard with `@ailo/pipeline`'s `trainLocal` (AdamW,
 * warmup + cosine decay, clipping); the data never leaves this function, only Δ and n_k do.
 */
export async function trainClient(
  model: GlobalModel,
  batches: TokenBatch[],
  backend: Backend,
): Promise<LocalUpdate> {
  const { update, numSamples, metrics } = await trainLocal({
    model: { config: model.config, weights: model.weights },
    batches,
    optimizer: { lr: 3e-3, warmupSteps: 1 },
    backend,
  });
  return { delta: update, numSamples, firstLoss: metrics.firstLoss, lastLoss: metrics.lastLoss };
}
