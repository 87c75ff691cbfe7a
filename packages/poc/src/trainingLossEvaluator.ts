import type { TensorSchema, Tensors } from '@ailo/fedavg';
import { type Backend, type ModelConfig, makeBatches, TrainingPipeline, type Weight } from '@ailo/pipeline';
import { PocError } from './errors';
import { checkSequences, type LossEvaluator } from './LossEvaluator';
import type { TokenSequences } from './validationSample';

/** Options of {@link createTrainingLossEvaluator}. */
export interface TrainingLossOptions {
  config: ModelConfig;
  /** tensor name → shape (HF names, as in the model's safetensors) */
  schema: TensorSchema;
  /** e.g. `createNodeBackend('cpu')` from `@ailo/pipeline/node` */
  backend: Backend;
  /** sequences per forward pass; default 8 */
  batchSize?: number;
}

/**
 * A {@link LossEvaluator} on `@ailo/pipeline`'s `TrainingPipeline`: the loss graph (weights as
 * inputs, cross-entropy inside the graph in float32) is compiled once per sequence length,
 * so each update costs one forward pass and no compilation. Per-batch means are combined
 * in float64, weighted by scored positions. Calls are serialised. The default evaluator of
 * a coordinator; {@link createChainLossEvaluator} is the float64 reference it is tested against.
 */
export function createTrainingLossEvaluator(opts: TrainingLossOptions): LossEvaluator {
  const { config, schema, backend } = opts;
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new PocError('INVALID_INPUT', 'batchSize must be a positive integer.', { meta: { batchSize } });
  }
  let pipeline: TrainingPipeline | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (weights: Tensors, sequences: TokenSequences): Promise<number> => {
    checkSequences(sequences, config);
    const map = new Map<string, Weight>();
    for (const [name, shape] of schema) {
      const data = weights.get(name);
      if (!data) throw new PocError('INVALID_INPUT', `Weights lack tensor "${name}".`);
      map.set(name, { shape: [...shape], data });
    }
    pipeline ??= new TrainingPipeline({ config, weights: map, backend });
    const byLength = new Map<number, (readonly number[])[]>();
    for (const s of sequences) byLength.set(s.length, [...(byLength.get(s.length) ?? []), s]);
    let sum = 0;
    let count = 0;
    for (const [seq, group] of byLength) {
      for (const batch of makeBatches(group, { batchSize: Math.min(batchSize, group.length), seq })) {
        const r = await pipeline.loss(map, batch);
        sum += r.loss * r.targets;
        count += r.targets;
      }
    }
    return sum / count;
  };
  return {
    loss(weights, sequences) {
      const next = queue.then(() => run(weights, sequences));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
