import type { TensorSchema, Tensors } from '@ailo/fedavg';

/** L2 norm over every tensor of `schema`, accumulated in float64. */
export function tensorNorm(tensors: Tensors, schema: TensorSchema): number {
  let s = 0;
  for (const name of schema.keys()) {
    const x = tensors.get(name);
    if (!x) continue;
    for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  }
  return Math.sqrt(s);
}

/** Median of finite values (mean of the two middle ones for an even count); `undefined` when empty. */
export function median(values: readonly number[]): number | undefined {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}
