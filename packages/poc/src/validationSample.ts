import { SeededRng } from '@ailo/fedavg';
import { PocError } from './errors';
import { roundSeed } from './roundSeed';

/** Token sequences (each a list of token ids). */
export type TokenSequences = readonly (readonly number[])[];

/**
 * The round's held-out validation sample: `count` sequences of the coordinator's secret pool,
 * drawn without replacement with a seed from HMAC(secret, "validation", round), so every round
 * sees a fresh subsample that clients cannot predict. The whole pool when `count` ≥ its size.
 * @throws PocError `INVALID_VALIDATION_SET` for an empty pool, `INVALID_INPUT` for a bad secret or round
 */
export function validationSample(
  pool: TokenSequences,
  secret: Uint8Array,
  round: number,
  count: number,
): TokenSequences {
  if (!Array.isArray(pool) || pool.length === 0) {
    throw new PocError('INVALID_VALIDATION_SET', 'The validation pool is empty.');
  }
  const rng = new SeededRng(roundSeed(secret, 'ailo-poc/validation', round));
  const idx = Array.from(pool.keys());
  const k = Math.min(count, idx.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.nextFloat() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, k).map((i) => pool[i]!);
}
