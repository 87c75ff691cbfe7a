import { checkSchema, elementCount, sameShape } from './checkSchema';
import { FedAvgError } from './errors';
import type { TensorSchema, Tensors } from './types';

/**
 * Structural check of named tensors against a schema: no missing or extra
 * names, every tensor a `Float32Array` of the schema's element count, and the
 * declared `shapes` (when given) equal to the schema's. Values are not read.
 * @param what how to name the tensors in messages, e.g. "Update", "Model"
 * @throws FedAvgError `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH`
 */
export function checkTensors(
  schema: TensorSchema,
  tensors: Tensors,
  shapes?: TensorSchema,
  what = 'Update',
): void {
  checkSchema(schema);
  if (!(tensors instanceof Map)) {
    throw new FedAvgError('NAME_MISMATCH', `${what} must be a Map of tensor name → Float32Array.`);
  }
  for (const name of schema.keys()) {
    if (!tensors.has(name)) {
      throw new FedAvgError('NAME_MISMATCH', `${what} is missing tensor "${name}".`, {
        meta: { tensor: name },
      });
    }
  }
  for (const name of tensors.keys()) {
    if (!schema.has(name)) {
      throw new FedAvgError('NAME_MISMATCH', `${what} has unexpected tensor "${name}".`, {
        meta: { tensor: name },
      });
    }
  }
  for (const [name, shape] of schema) {
    const x = tensors.get(name);
    if (!(x instanceof Float32Array)) {
      const got = (x as object | null | undefined)?.constructor?.name ?? typeof x;
      throw new FedAvgError('DTYPE_MISMATCH', `${what} tensor "${name}" is not float32.`, {
        details: `Expected a Float32Array, got ${got}.`,
        meta: { tensor: name, actual: got },
      });
    }
    const n = elementCount(shape, name);
    if (x.length !== n) {
      throw new FedAvgError('SHAPE_MISMATCH', `${what} tensor "${name}" has the wrong number of elements.`, {
        details: `Shape [${shape.join(', ')}] holds ${n} elements, got ${x.length}.`,
        meta: { tensor: name, expected: n, actual: x.length },
      });
    }
    const declared = shapes?.get(name);
    if (shapes && (!declared || !sameShape(declared, shape))) {
      throw new FedAvgError('SHAPE_MISMATCH', `${what} tensor "${name}" has the wrong shape.`, {
        details: `Expected [${shape.join(', ')}], got [${declared?.join(', ') ?? 'none'}].`,
        meta: { tensor: name, expected: [...shape], actual: declared ? [...declared] : null },
      });
    }
  }
}
