import { PipelineError } from '../../errors';
import type { TokenBatch } from '../tokenBatch';
import { seededShuffle } from './seededShuffle';

export interface BatchOptions {
  /** sequences per batch */
  batchSize: number;
  /** tokens per row; shorter sequences are right-padded (mask 0) */
  seq: number;
  /** shuffles the sequences first (deterministic for a seed); default keeps the order */
  seed?: number;
  /** drop a final partial batch instead of filling it with padding rows (default false) */
  dropLast?: boolean;
}

/**
 * Groups sequences into fixed-shape batches [batchSize, seq] so one compiled
 * training graph serves all of them. A partial last batch gets all-padding
 * rows, which the loss ignores.
 */
export function makeBatches(sequences: readonly ArrayLike<number>[], opts: BatchOptions): TokenBatch[] {
  const { batchSize: B, seq: S } = opts;
  if (!(Number.isInteger(B) && B > 0))
    throw new PipelineError('bad_input', `batchSize must be a positive integer, got ${B}`);
  if (!(Number.isInteger(S) && S > 0))
    throw new PipelineError('bad_input', `seq must be a positive integer, got ${S}`);
  const order = opts.seed === undefined ? [...sequences] : seededShuffle(sequences, opts.seed);
  const out: TokenBatch[] = [];
  for (let start = 0; start < order.length; start += B) {
    const rows = order.slice(start, start + B);
    if (rows.length < B && opts.dropLast) break;
    const ids = new Int32Array(B * S);
    const mask = new Uint8Array(B * S);
    rows.forEach((r, i) => {
      if (r.length > S)
        throw new PipelineError('bad_input', `A sequence of ${r.length} tokens exceeds seq ${S}`);
      ids.set(r, i * S);
      mask.fill(1, i * S, i * S + r.length);
    });
    out.push({ ids, batch: B, seq: S, mask });
  }
  return out;
}
