import {
  BROWN_GENRES,
  type BrownDocument,
  evenSpans,
  packSequences,
  type TokenBatch,
  textDataset,
  tokenizeText,
} from '@ailo/pipeline';
import { loadBrownCorpus } from '@ailo/pipeline/node';
import { NodeError } from '../errors';

/** Every `HOLDOUT_EVERY`-th document of each genre is the coordinator's secret validation text; trainers never see it. */
export const HOLDOUT_EVERY = 10;

/** GPT-2 `<|endoftext|>`: separates documents in packed token streams. */
const EOS = 50256;

/** Brown genres in file-letter order (`ca…` news first). */
export const BROWN_GENRE_LIST: readonly string[] = Object.values(BROWN_GENRES);

/**
 * Splits the 15 Brown genres into `n` contiguous groups (non-IID shards: one
 * group per worker).
 */
export function genreGroups(n: number): string[][] {
  if (!Number.isInteger(n) || n < 1 || n > BROWN_GENRE_LIST.length) {
    throw new NodeError(
      'bad_request',
      `Cannot split ${BROWN_GENRE_LIST.length} Brown genres into ${n} groups`,
    );
  }
  return evenSpans(BROWN_GENRE_LIST.length, n).map((s) => BROWN_GENRE_LIST.slice(s.start, s.end));
}

/** Documents of `genres`, split into those trainers may use and the held-out ones. */
function split(genres?: readonly string[]): { train: BrownDocument[]; heldOut: BrownDocument[] } {
  const docs = loadBrownCorpus(genres ? { genres } : {});
  const seen = new Map<string, number>();
  const train: BrownDocument[] = [];
  const heldOut: BrownDocument[] = [];
  for (const d of docs) {
    const i = seen.get(d.genre) ?? 0;
    seen.set(d.genre, i + 1);
    (i % HOLDOUT_EVERY === 0 ? heldOut : train).push(d);
  }
  return { train, heldOut };
}

/**
 * A trainer's private data: the non-held-out documents of its genres,
 * GPT-2-tokenized, packed into `seq`-token sequences, shuffled by `seed`,
 * batched.
 * @throws PipelineError `bad_input` for an unknown genre.
 */
export function brownTrainingBatches(
  genres: readonly string[],
  batchSize: number,
  seq: number,
  seed = 0,
): TokenBatch[] {
  return textDataset(
    split(genres).train.map((d) => d.text),
    { seq, batchSize, seed },
  ).train;
}

/**
 * The coordinator's secret validation pool: the held-out documents of every
 * genre as `seq`-token sequences (at most `max`, taken evenly across the pool).
 */
export function brownValidationPool(seq: number, max = 256): number[][] {
  const docs = split().heldOut;
  const packed = packSequences(
    docs.map((d) => tokenizeText(d.text)),
    { seq, separator: EOS, keepRemainder: false },
  );
  const step = Math.max(1, Math.floor(packed.length / max));
  const out: number[][] = [];
  for (let i = 0; i < packed.length && out.length < max; i += step) out.push(Array.from(packed[i]!));
  return out;
}
