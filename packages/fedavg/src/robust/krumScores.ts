/**
 * Krum scores (Blanchard et al. 2017, "Machine Learning with Adversaries:
 * Byzantine Tolerant Gradient Descent"): for each of K updates, the sum of
 * squared L2 distances to its K − f − 2 nearest other updates. Distances are
 * accumulated in float64 over all tensors.
 * @param updates K updates, each a list of tensors in the same order
 * @param byzantine f, with K > 2f + 2
 */
export function krumScores(updates: readonly (readonly Float32Array[])[], byzantine: number): number[] {
  const k = updates.length;
  const dist = Array.from({ length: k }, () => new Float64Array(k));
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let s = 0;
      const ua = updates[a]!;
      const ub = updates[b]!;
      for (let t = 0; t < ua.length; t++) {
        const x = ua[t]!;
        const y = ub[t]!;
        for (let i = 0; i < x.length; i++) {
          const d = x[i]! - y[i]!;
          s += d * d;
        }
      }
      dist[a]![b] = s;
      dist[b]![a] = s;
    }
  }
  const nearest = k - byzantine - 2;
  return dist.map((row, a) => {
    const others = [...row].filter((_, b) => b !== a).sort((x, y) => x - y);
    let s = 0;
    for (let j = 0; j < nearest; j++) s += others[j]!;
    return s;
  });
}

/**
 * Indices of the `m` lowest scores, ties broken by lower index (arrival order),
 * returned in ascending index order.
 */
export function selectLowest(scores: readonly number[], m: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .slice(0, m)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}
