import { MAX_MESSAGE_ID, MAX_TENSOR_RANK } from './constants';
import { DTYPE_ARRAY, type DType, type DTypeArrays, isDType } from './dtype';
import { ProtocolError } from './ProtocolError';

/**
 * A dense tensor as carried by the tensor extension (spec §4): row-major elements of `dtype` with
 * dimensions `shape`. `data.length` equals the product of `shape` (1 for a scalar, `shape = []`).
 */
export type TensorOf<D extends DType> = {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: DTypeArrays[D];
};

/** A tensor of any dtype; narrow on `dtype` to get the typed array. */
export type Tensor = { [D in DType]: TensorOf<D> }[DType];

/** Number of elements of `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The reason `value` is not a valid tensor, or undefined when it is. */
export function tensorProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const t = value as { dtype?: unknown; shape?: unknown; data?: unknown };
  if (!isDType(t.dtype)) return `unknown dtype ${String(t.dtype)}`;
  if (!Array.isArray(t.shape)) return 'shape is not an array';
  if (t.shape.length > MAX_TENSOR_RANK) return `rank ${t.shape.length} > ${MAX_TENSOR_RANK}`;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_MESSAGE_ID) return `dim ${String(d)} is not a u32`;
  }
  const Ctor = DTYPE_ARRAY[t.dtype];
  if (!(t.data instanceof Ctor)) return `data of a ${t.dtype} tensor must be a ${Ctor.name}`;
  const n = elementCount(t.shape);
  if ((t.data as DTypeArrays[DType]).length !== n) {
    return `data has ${(t.data as DTypeArrays[DType]).length} elements, shape needs ${n}`;
  }
  return undefined;
}

/** Whether `value` is a well-formed {@link Tensor}. */
export function isTensor(value: unknown): value is Tensor {
  return tensorProblem(value) === undefined;
}

/**
 * Builds a tensor and checks that `data` matches `dtype` and `shape`.
 *
 * @throws ProtocolError `bad_request` when they disagree.
 */
export function tensor<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data: DTypeArrays[D],
): TensorOf<D> {
  const t = { dtype, shape: [...shape], data };
  const problem = tensorProblem(t);
  if (problem !== undefined) throw new ProtocolError('bad_request', 'invalid tensor', { details: problem });
  return t;
}
