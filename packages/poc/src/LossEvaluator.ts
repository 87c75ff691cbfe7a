import type { TensorSchema, Tensors } from '@ailo/fedavg';
import { type Backend, type ModelConfig, StageChain, type Weight } from '@ailo/pipeline';
import { PocError } from './errors';
import { type LossSum, nextTokenLoss } from './nextTokenLoss';
import type { TokenSequences } from './validationSample';

/** Scores a model on token sequences; plugged into the judge so callers choose the backend. */
export interface LossEvaluator {
  /**
   * Mean next-token cross-entropy (nats per predicted token) of the model `weights` on
   * `sequences`. Must not keep or modify `weights` after the promise settles.
   */
  loss(weights: Tensors, sequences: TokenSequences): Promise<number>;
}

/** Options of {@link createChainLossEvaluator}. */
export interface ChainLossOptions {
  config: ModelConfig;
  /** tensor name → shape (HF names, as in the model's safetensors) */
  schema: TensorSchema;
  /** e.g. `createNodeBackend('cpu')` from `@ailo/pipeline/node`, or `createRefBackend()` */
  backend: Backend;
  /** sequences per forward pass; default 8 */
  batchSize?: number;
}

/**
 * Checks that every sequence can be scored by the model: at least 2 tokens, at most the
 * context, ids inside the vocabulary.
 * @throws PocError `INVALID_VALIDATION_SET`
 */
export function checkSequences(sequences: TokenSequences, config: ModelConfig): void {
  if (!Array.isArray(sequences) || sequences.length === 0) {
    throw new PocError('INVALID_VALIDATION_SET', 'The validation set holds no sequence.');
  }
  sequences.forEach((s, i) => {
    if (!Array.isArray(s) || s.length < 2 || s.length > config.maxPositions) {
      throw new PocError(
        'INVALID_VALIDATION_SET',
        `Validation sequence ${i} must hold 2…${config.maxPositions} tokens.`,
        {
          meta: { index: i, length: Array.isArray(s) ? s.length : null },
        },
      );
    }
    for (const id of s) {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new PocError(
          'INVALID_VALIDATION_SET',
          `Validation sequence ${i} holds token id ${id}, outside [0, ${config.vocabSize}).`,
          {
            meta: { index: i, token: id },
          },
        );
      }
    }
  });
}

/**
 * A {@link LossEvaluator} that compiles the model with `StageChain.create` for each call
 * (weights are graph constants there), runs the sequences grouped by length in batches and
 * computes the loss on the host in float64. Calls are serialised: one model is compiled at a
 * time. The reference implementation; `createTrainingLossEvaluator` is much cheaper per call.
 */
export function createChainLossEvaluator(opts: ChainLossOptions): LossEvaluator {
  const { config, schema, backend } = opts;
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new PocError('INVALID_INPUT', 'batchSize must be a positive integer.', { meta: { batchSize } });
  }
  let queue: Promise<unknown> = Promise.resolve();
  const run = async (weights: Tensors, sequences: TokenSequences): Promise<number> => {
    checkSequences(sequences, config);
    const map = new Map<string, Weight>();
    for (const [name, shape] of schema) {
      const data = weights.get(name);
      if (!data) throw new PocError('INVALID_INPUT', `Weights lack tensor "${name}".`);
      map.set(name, { shape: [...shape], data });
    }
    const groups = new Map<number, number[][]>();
    for (const s of sequences) {
      const g = groups.get(s.length) ?? [];
      g.push([...s]);
      groups.set(s.length, g);
    }
    const chain = await StageChain.create(config, map, backend);
    const acc: LossSum = { sum: 0, count: 0 };
    try {
      for (const rows of groups.values()) {
        for (let i = 0; i < rows.length; i += batchSize) {
          const batch = rows.slice(i, i + batchSize);
          const logits = await chain.forward('poc-validation', batch);
          nextTokenLoss(logits.data as Float32Array, config.vocabSize, batch, acc);
          await chain.close('poc-validation');
        }
      }
    } finally {
      await chain.dispose();
    }
    return acc.sum / acc.count;
  };
  return {
    loss(weights, sequences) {
      const next = queue.then(() => run(weights, sequences));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
