import type { TensorSchema, Tensors } from '@ailo/fedavg';
import { type Backend, type ModelConfig, makeBatches, TrainingPipeline, type Weight } from '@ailo/pipeline';
import type { LossEvaluator } from '@ailo/poc';
import { NodeError } from '../errors';

/** Sequences per evaluation batch. */
const EVAL_BATCH = 8;

/**
 * A Proof-of-Contribution {@link LossEvaluator} on a {@link TrainingPipeline}:
 * the loss graph is compiled once per sequence shape and weights are fed
 * per call, so scoring each update of a round costs one forward pass instead
 * of a compilation. Mean next-token cross-entropy weighted by scored
 * positions; calls are serialised.
 */
export function pipelineLossEvaluator(
  config: ModelConfig,
  schema: TensorSchema,
  backend: Backend,
): LossEvaluator {
  let pipeline: TrainingPipeline | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const asWeights = (t: Tensors): Map<string, Weight> => {
    const out = new Map<string, Weight>();
    for (const [name, shape] of schema) {
      const data = t.get(name);
      if (!data) throw new NodeError('bad_request', `The model to score has no tensor ${name}`);
      out.set(name, { shape: [...shape], data });
    }
    return out;
  };
  const run = async (weights: Tensors, sequences: readonly (readonly number[])[]): Promise<number> => {
    const w = asWeights(weights);
    pipeline ??= new TrainingPipeline({ config, weights: w, backend });
    const byLength = new Map<number, (readonly number[])[]>();
    for (const s of sequences) byLength.set(s.length, [...(byLength.get(s.length) ?? []), s]);
    let sum = 0;
    let n = 0;
    for (const [seq, group] of byLength) {
      for (const b of makeBatches(group as number[][], { batchSize: EVAL_BATCH, seq })) {
        const r = await pipeline.loss(w, b);
        sum += r.loss * r.targets;
        n += r.targets;
      }
    }
    if (n === 0) throw new NodeError('bad_request', 'No validation sequence has a token to predict');
    return sum / n;
  };
  return {
    loss(weights, sequences) {
      const p = queue.then(() => run(weights, sequences as readonly (readonly number[])[]));
      queue = p.catch(() => undefined);
      return p;
    },
  };
}
