import { sortPrefix } from './sortSmall';

/**
 * Coordinate-wise median (Yin et al. 2018): per coordinate, the middle of the
 * K sorted values, or the mean of the two middle values when K is even.
 * @param columns K ≥ 1 arrays of equal length
 */
export function coordinateMedian(columns: readonly Float32Array[]): Float32Array {
  const k = columns.length;
  const n = columns[0]?.length ?? 0;
  const out = new Float32Array(n);
  const v = new Float64Array(k);
  const mid = k >> 1;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) v[c] = columns[c]![i]!;
    sortPrefix(v, k);
    out[i] = k % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  }
  return out;
}
