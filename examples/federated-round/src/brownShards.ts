import { type BrownGenre, type TokenBatch, textDataset, tokenizeText } from '@ailo/pipeline';
import { loadBrownCorpus } from '@ailo/pipeline/node';

/** Tokens per training and validation sequence (the model's context is 32). */
export const SEQ = 32;
/** Sequences per training batch. */
export const BATCH = 4;
/** Brown documents each client holds: the first ones of its genre. */
export const DOCS_PER_CLIENT = 2;

/**
 * A client's private data: the first {@link DOCS_PER_CLIENT} Brown documents of its genre,
 * GPT-2 BPE, packed into {@link SEQ}-token sequences, shuffled by `seed`, `batches` batches of
 * {@link BATCH}. One genre per client makes the shards non-IID, as in the design's demo.
 */
export function clientShard(genre: BrownGenre, batches: number, seed: number): TokenBatch[] {
  const docs = loadBrownCorpus({ genres: [genre] }).slice(0, DOCS_PER_CLIENT);
  const data = textDataset(
    docs.map((d) => d.text),
    { seq: SEQ, batchSize: BATCH, seed },
  );
  return data.train.slice(0, batches);
}

/**
 * The coordinator's secret held-out pool: `perGenre` sequences of {@link SEQ} tokens from the
 * last Brown document of each genre — text no client holds.
 */
export function heldOutPool(genres: readonly BrownGenre[], perGenre: number): number[][] {
  const pool: number[][] = [];
  for (const genre of genres) {
    const docs = loadBrownCorpus({ genres: [genre] });
    const ids = tokenizeText(docs[docs.length - 1]!.text);
    for (let i = 0; i < perGenre && (i + 1) * SEQ <= ids.length; i++)
      pool.push(ids.slice(i * SEQ, (i + 1) * SEQ));
  }
  return pool;
}
