/**
 * Straightforward reference implementations (plain arrays, Array.sort, float64)
 * that the optimized rules are compared against.
 */

export type Vec = number[];

export function refWeightedMean(updates: Vec[], weights: number[]): Vec {
  const n = weights.reduce((a, b) => a + b, 0);
  return updates[0]!.map((_, i) => updates.reduce((s, u, k) => s + weights[k]! * u[i]!, 0) / n);
}

export function refTrimmedMean(updates: Vec[], beta: number): Vec {
  const k = updates.length;
  const t = Math.floor(beta * k);
  return updates[0]!.map((_, i) => {
    const col = updates.map((u) => u[i]!).sort((a, b) => a - b);
    const kept = col.slice(t, k - t);
    return kept.reduce((a, b) => a + b, 0) / kept.length;
  });
}

export function refMedian(updates: Vec[]): Vec {
  return updates[0]!.map((_, i) => {
    const col = updates.map((u) => u[i]!).sort((a, b) => a - b);
    const m = col.length >> 1;
    return col.length % 2 ? col[m]! : (col[m - 1]! + col[m]!) / 2;
  });
}

/** score_i = Σ of the K−f−2 smallest ‖u_i − u_j‖², j ≠ i. */
export function refKrumScores(updates: Vec[], f: number): number[] {
  const k = updates.length;
  const d2 = (a: Vec, b: Vec) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0);
  return updates.map((u, i) =>
    updates
      .filter((_, j) => j !== i)
      .map((v) => d2(u, v))
      .sort((a, b) => a - b)
      .slice(0, k - f - 2)
      .reduce((a, b) => a + b, 0),
  );
}

/** Krum by definition: pick the m lowest scores (ties: lower index), n_k-weighted mean of those. */
export function refKrum(
  updates: Vec[],
  weights: number[],
  f: number,
  m: number,
): { selected: number[]; mean: Vec } {
  const scores = refKrumScores(updates, f);
  const order = scores.map((s, i) => ({ s, i })).sort((a, b) => a.s - b.s || a.i - b.i);
  const selected = order
    .slice(0, m)
    .map((o) => o.i)
    .sort((a, b) => a - b);
  const mean = refWeightedMean(
    selected.map((i) => updates[i]!),
    selected.map((i) => weights[i]!),
  );
  return { selected, mean };
}
