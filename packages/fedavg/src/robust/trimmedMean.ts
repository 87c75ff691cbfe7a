import { sortPrefix } from './sortSmall';

/**
 * Coordinate-wise β-trimmed mean (Yin et al. 2018, "Byzantine-Robust
 * Distributed Learning"): per coordinate, drop the ⌊β·K⌋ smallest and ⌊β·K⌋
 * largest of the K values and average the rest (unweighted, in float64).
 * @param columns K arrays of equal length
 * @param trim ⌊β·K⌋, with 2·trim < K
 */
export function trimmedMean(columns: readonly Float32Array[], trim: number): Float32Array {
  const k = columns.length;
  const n = columns[0]?.length ?? 0;
  const out = new Float32Array(n);
  const v = new Float64Array(k);
  const kept = k - 2 * trim;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) v[c] = columns[c]![i]!;
    sortPrefix(v, k);
    let s = 0;
    for (let c = trim; c < k - trim; c++) s += v[c]!;
    out[i] = s / kept;
  }
  return out;
}
