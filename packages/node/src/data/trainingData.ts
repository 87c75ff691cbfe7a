import { readFileSync } from 'node:fs';
import { type ModelConfig, type TokenBatch, textDataset } from '@ailo/pipeline';
import { NodeError } from '../errors';
import { GPT2_VOCAB } from '../model/createTinyModel';
import { BROWN_GENRE_LIST, brownTrainingBatches } from './brownShards';

/** Private training data of a worker, batched on demand (cached per shape). */
export type TrainingData = (config: ModelConfig, batchSize: number, seq: number) => TokenBatch[];

function cached(make: (batchSize: number, seq: number) => TokenBatch[]): TrainingData {
  const memo = new Map<string, TokenBatch[]>();
  return (config, batchSize, seq) => {
    if (config.vocabSize !== GPT2_VOCAB) {
      throw new NodeError(
        'bad_request',
        `Text data is GPT-2-tokenized; this model's vocabulary has ${config.vocabSize} tokens`,
      );
    }
    const k = `${batchSize}x${seq}`;
    let b = memo.get(k);
    if (!b) memo.set(k, (b = make(batchSize, seq)));
    return b;
  };
}

/**
 * Parses `brown:GENRE[,GENRE…]` (Brown corpus genres, held-out documents
 * excluded) into a data source.
 * @throws NodeError `bad_request` for another scheme or an unknown genre.
 */
export function corpusData(spec: string, seed = 0): TrainingData {
  const m = /^brown:([a-z_,]+)$/.exec(spec);
  if (!m) throw new NodeError('bad_request', `--corpus expects brown:GENRE[,GENRE], got "${spec}"`);
  const genres = m[1]!.split(',').filter(Boolean);
  for (const g of genres) {
    if (!BROWN_GENRE_LIST.includes(g))
      throw new NodeError(
        'bad_request',
        `Unknown Brown genre "${g}"; genres: ${BROWN_GENRE_LIST.join(', ')}`,
      );
  }
  return cached((batchSize, seq) => brownTrainingBatches(genres, batchSize, seq, seed));
}

/** A UTF-8 text file as a data source (GPT-2-tokenized, packed, shuffled). */
export function fileData(path: string, seed = 0): TrainingData {
  const text = readFileSync(path, 'utf8');
  return cached((batchSize, seq) => textDataset([text], { seq, batchSize, seed }).train);
}
