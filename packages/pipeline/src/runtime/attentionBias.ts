import { MASK_BIAS } from '../constants';

/**
 * Additive causal bias [batch, 1, seq, past+seq]: 0 where query s may attend
 * key t (t ≤ past + s and key t is not padding), {@link MASK_BIAS} elsewhere.
 * `mask` is [batch, past+seq] with 1 for real tokens and 0 for padding.
 */
export function attentionBias(mask: Uint8Array, batch: number, past: number, seq: number): Float32Array {
  const total = past + seq;
  const bias = new Float32Array(batch * seq * total);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const row = (b * seq + s) * total;
      for (let t = 0; t < total; t++) {
        if (t > past + s || mask[b * total + t] === 0) bias[row + t] = MASK_BIAS;
      }
    }
  }
  return bias;
}

/**
 * Position ids [batch, seq] for the new tokens: the number of real tokens
 * before each one (padding does not advance positions), as HF does for
 * left-padded batches.
 */
export function positionIds(mask: Uint8Array, batch: number, past: number, seq: number): BigInt64Array {
  const total = past + seq;
  const out = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < total; t++) {
      const real = mask[b * total + t] === 1;
      if (t >= past) out[b * seq + t - past] = BigInt(Math.max(count, 0));
      if (real) count++;
    }
  }
  return out;
}
