/** Sum and count of next-token negative log-likelihoods, in float64. nats */
export interface LossSum {
  sum: number;
  count: number;
}

/**
 * Next-token cross-entropy on the host: for logits [B, S, V] of rows `ids` [B][S], adds
 * −log softmax(logits[b, i])[ids[b][i + 1]] for every i < S − 1, with a float64 log-sum-exp.
 */
export function nextTokenLoss(
  logits: ArrayLike<number>,
  vocab: number,
  ids: readonly (readonly number[])[],
  into: LossSum = { sum: 0, count: 0 },
): LossSum {
  const seq = ids[0]?.length ?? 0;
  ids.forEach((row, b) => {
    for (let i = 0; i + 1 < seq; i++) {
      const off = (b * seq + i) * vocab;
      let max = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < vocab; v++) {
        const x = logits[off + v]!;
        if (x > max) max = x;
      }
      let z = 0;
      for (let v = 0; v < vocab; v++) z += Math.exp(logits[off + v]! - max);
      into.sum += Math.log(z) + max - logits[off + row[i + 1]!]!;
      into.count++;
    }
  });
  return into;
}
