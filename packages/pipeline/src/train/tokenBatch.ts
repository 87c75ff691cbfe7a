import { PipelineError } from '../errors';
import type { ModelConfig } from '../families/config';
import { attentionBias, positionIds } from '../runtime/attentionBias';
import { IGNORE_INDEX } from './constants';

/** A batch of token sequences for training, row-major [batch, seq]. */
export interface TokenBatch {
  /** token ids, `batch × seq` values */
  ids: ArrayLike<number>;
  batch: number;
  seq: number;
  /** 1 = real token, 0 = padding (left or right); default all real */
  mask?: Uint8Array;
}

/** Graph feeds derived from a {@link TokenBatch} (no KV cache). */
export interface PreparedBatch {
  batch: number;
  seq: number;
  /** ids with padding replaced by 0 */
  inputIds: BigInt64Array;
  /** HF-convention labels: id, or {@link IGNORE_INDEX} where the token or its predecessor is padding */
  labels: BigInt64Array;
  positionIds: BigInt64Array;
  /** additive causal + padding mask [batch, 1, seq, seq] */
  attnBias: Float32Array;
  /** positions scored by the loss (a real token followed by a real token) */
  targets: number;
  /** rows with at least one scored position */
  sequences: number;
}

/**
 * Validates a batch and builds its feeds. Position i is scored on token
 * i + 1 only when both are real, so padding never enters the loss.
 * @throws PipelineError `bad_input` (shape), `context_overflow` (seq > context),
 *   `token_out_of_range` (id outside the vocabulary), `empty_input` (no scored position).
 */
export function prepareBatch(b: TokenBatch, config: ModelConfig): PreparedBatch {
  const { batch: B, seq: S } = b;
  if (!(Number.isInteger(B) && B > 0 && Number.isInteger(S) && S > 0)) {
    throw new PipelineError('bad_input', `Batch shape must be positive integers, got ${B} x ${S}`);
  }
  if (b.ids.length !== B * S)
    throw new PipelineError('bad_input', `Batch has ${b.ids.length} ids, expected ${B} x ${S}`);
  if (b.mask && b.mask.length !== B * S)
    throw new PipelineError('bad_input', `Mask has ${b.mask.length} entries, expected ${B * S}`);
  if (S > config.maxPositions) {
    throw new PipelineError(
      'context_overflow',
      `Sequence length ${S} exceeds the model context ${config.maxPositions}`,
    );
  }
  const mask = b.mask ?? new Uint8Array(B * S).fill(1);
  const inputIds = new BigInt64Array(B * S);
  const labels = new BigInt64Array(B * S).fill(BigInt(IGNORE_INDEX));
  let targets = 0;
  let sequences = 0;
  let rowStart = 0;
  for (let i = 0; i < B * S; i++) {
    if (i % S === 0) {
      if (targets > rowStart) sequences++;
      rowStart = targets;
    }
    if (!mask[i]) continue;
    const id = b.ids[i]!;
    if (!(Number.isInteger(id) && id >= 0 && id < config.vocabSize)) {
      throw new PipelineError(
        'token_out_of_range',
        `Token id ${id} at position ${i} is outside the vocabulary [0, ${config.vocabSize})`,
      );
    }
    inputIds[i] = BigInt(id);
    if (i % S > 0 && mask[i - 1]) {
      labels[i] = BigInt(id);
      targets++;
    }
  }
  if (targets > rowStart) sequences++;
  if (targets === 0) {
    throw new PipelineError('empty_input', 'Batch has no token to predict', {
      details: 'Every sequence is padding or shorter than two real tokens.',
    });
  }
  return {
    batch: B,
    seq: S,
    inputIds,
    labels,
    positionIds: positionIds(mask, B, 0, S),
    attnBias: attentionBias(mask, B, 0, S),
    targets,
    sequences,
  };
}
