import { FedAvgError } from './errors';
import type { TensorSchema, TensorShape } from './types';

const valid = new WeakSet<TensorSchema>();

/**
 * Number of elements of `shape` (1 for a scalar `[]`).
 * @throws FedAvgError `INVALID_SCHEMA` when a dimension is not a non-negative safe integer.
 */
export function elementCount(shape: TensorShape, tensor = '?'): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FedAvgError('INVALID_SCHEMA', `Tensor "${tensor}" has an invalid shape.`, {
        details: `Shape [${shape.join(', ')}]: dimensions must be non-negative integers.`,
        meta: { tensor, shape: [...shape] },
      });
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new FedAvgError('INVALID_SCHEMA', `Tensor "${tensor}" has too many elements.`, {
      meta: { tensor, shape: [...shape] },
    });
  }
  return n;
}

/**
 * Validates a model schema (non-empty names, valid shapes) and returns its
 * float32 size. Results are cached per schema object.
 * @returns model bytes at 4 bytes per element
 * @throws FedAvgError `INVALID_SCHEMA`
 */
export function checkSchema(schema: TensorSchema): number {
  let elements = 0;
  for (const [name, shape] of schema) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new FedAvgError('INVALID_SCHEMA', 'Tensor names must be non-empty strings.');
    }
    if (!Array.isArray(shape)) {
      throw new FedAvgError('INVALID_SCHEMA', `Tensor "${name}" has no shape array.`, {
        meta: { tensor: name },
      });
    }
    elements += elementCount(shape, name);
  }
  valid.add(schema);
  return elements * 4;
}

/** Two shapes are equal when they have the same rank and dimensions. */
export function sameShape(a: TensorShape, b: TensorShape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
