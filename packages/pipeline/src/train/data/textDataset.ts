import { PipelineError } from '../../errors';
import type { TokenBatch } from '../tokenBatch';
import { makeBatches } from './makeBatches';
import { packSequences } from './packSequences';
import { seededShuffle } from './seededShuffle';
import { GPT2_EOS_ID, tokenizeText } from './tokenizeText';

export interface TextDatasetOptions {
  /** tokens per training sequence */
  seq: number;
  batchSize: number;
  /** seed of the sequence shuffle (default 0) */
  seed?: number;
  /** fraction of sequences held out for evaluation (default 0) */
  heldOutFraction?: number;
  /** text → ids; default GPT-2 BPE ({@link tokenizeText}) */
  tokenize?: (text: string) => number[];
  /** id between documents; default GPT-2 `<|endoftext|>` (50256); `null` for none */
  separator?: number | null;
}

/** Batches ready for {@link trainLocal}. */
export interface TextDataset {
  train: TokenBatch[];
  heldOut: TokenBatch[];
  /** packed sequences (train + held out) */
  sequences: number;
  /** tokens after tokenization, separators included */
  tokens: number;
}

/**
 * Tokenizes documents, packs them into `seq`-token sequences, shuffles the
 * sequences deterministically by seed, holds out a fraction, and batches.
 * @throws PipelineError `empty_input` when the text yields no sequence.
 */
export function textDataset(documents: readonly string[], opts: TextDatasetOptions): TextDataset {
  const frac = opts.heldOutFraction ?? 0;
  if (!(frac >= 0 && frac < 1))
    throw new PipelineError('bad_input', `heldOutFraction must be in [0, 1), got ${frac}`);
  const tokenize = opts.tokenize ?? tokenizeText;
  const ids = documents.map((d) => tokenize(d));
  const separator = opts.separator === undefined ? GPT2_EOS_ID : opts.separator;
  const packed = packSequences(ids, { seq: opts.seq, ...(separator === null ? {} : { separator }) });
  if (packed.length === 0)
    throw new PipelineError('empty_input', 'The text is too short to make one training sequence');
  const shuffled = seededShuffle(packed, opts.seed ?? 0);
  const nHeld = Math.floor(shuffled.length * frac);
  const batch = { batchSize: opts.batchSize, seq: opts.seq };
  return {
    train: makeBatches(shuffled.slice(nHeld), batch),
    heldOut: nHeld > 0 ? makeBatches(shuffled.slice(0, nHeld), batch) : [],
    sequences: packed.length,
    tokens: ids.reduce((s, d) => s + d.length, 0) + (separator === null ? 0 : Math.max(0, ids.length - 1)),
  };
}
