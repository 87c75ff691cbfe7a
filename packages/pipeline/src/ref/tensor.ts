/** A reference-executor tensor: float64 storage for every dtype (int64 values stay exact below 2^53). */
export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function refTensor(shape: number[], data?: ArrayLike<number>): RefTensor {
  const n = size(shape);
  const out = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`data length ${data.length} != ${n} for shape [${shape}]`);
    out.set(data);
  }
  return { shape: [...shape], data: out };
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}
