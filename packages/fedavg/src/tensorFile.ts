import {
  encodeSafetensors,
  type FloatDType,
  float32ToEntry,
  isVirtualTensorError,
  parseSafetensors,
  type TensorEntry,
  toFloat32,
} from '@ailo/virtual-tensor';
import { checkTensors } from './checkTensors';
import { FedAvgError } from './errors';
import type { TensorSchema, Tensors } from './types';

/** Named float32 tensors read from a safetensors file, with their shapes and metadata. */
export interface TensorFile {
  tensors: Map<string, Float32Array>;
  schema: Map<string, number[]>;
  /** the `__metadata__` string map (empty when absent) */
  metadata: Record<string, string>;
  /** storage dtype of each tensor in the file */
  dtypes: Map<string, FloatDType>;
}

const FLOAT_DTYPES = new Set<string>(['f32', 'f16', 'bf16']);

/**
 * Decodes a safetensors file of float tensors (F32, F16 or BF16, converted to
 * float32; F32 tensors may be zero-copy views into `bytes`).
 * @throws FedAvgError `INVALID_UPDATE_FILE` (malformed file; `cause` is the codec error),
 *   `DTYPE_MISMATCH` (an integer or bool tensor)
 */
export function decodeTensorFile(bytes: Uint8Array, opts: { maxHeaderBytes?: number } = {}): TensorFile {
  let parsed: ReturnType<typeof parseSafetensors>;
  try {
    parsed = parseSafetensors(
      bytes,
      opts.maxHeaderBytes === undefined ? {} : { maxHeaderBytes: opts.maxHeaderBytes },
    );
  } catch (cause) {
    const code = isVirtualTensorError(cause) ? cause.code : undefined;
    if (code === 'UNKNOWN_DTYPE') {
      throw new FedAvgError('DTYPE_MISMATCH', 'The file holds a tensor of an unsupported dtype.', { cause });
    }
    throw new FedAvgError('INVALID_UPDATE_FILE', 'Not a valid safetensors file.', {
      cause,
      meta: { codec: code },
    });
  }
  return { ...tensorsFromEntries(parsed.tensors), metadata: parsed.metadata };
}

/**
 * Converts float tensor entries (e.g. from a packed VirtualTensor model's
 * `loadAll()`) to float32 tensors and a schema.
 * @throws FedAvgError `DTYPE_MISMATCH` for an integer or bool tensor
 */
export function tensorsFromEntries(entries: ReadonlyMap<string, TensorEntry>): Omit<TensorFile, 'metadata'> {
  const tensors = new Map<string, Float32Array>();
  const schema = new Map<string, number[]>();
  const dtypes = new Map<string, FloatDType>();
  for (const [name, entry] of entries) {
    if (!FLOAT_DTYPES.has(entry.dtype)) {
      throw new FedAvgError('DTYPE_MISMATCH', `Tensor "${name}" is ${entry.dtype}, not a float dtype.`, {
        details: 'Updates and models hold F32, F16 or BF16 tensors.',
        meta: { tensor: name, dtype: entry.dtype },
      });
    }
    tensors.set(name, toFloat32(entry));
    schema.set(name, [...entry.shape]);
    dtypes.set(name, entry.dtype as FloatDType);
  }
  return { tensors, schema, dtypes };
}

/**
 * Encodes float32 tensors as a deterministic safetensors file (names sorted,
 * metadata keys sorted), stored as `dtype` (default f32).
 * @throws FedAvgError `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH` when tensors do not fit the schema
 */
export function encodeTensorFile(
  tensors: Tensors,
  schema: TensorSchema,
  metadata: Record<string, string> = {},
  dtype: FloatDType = 'f32',
): Uint8Array {
  checkTensors(schema, tensors, undefined, 'File');
  if (!FLOAT_DTYPES.has(dtype)) {
    throw new FedAvgError('INVALID_OPTION', `Cannot store tensors as "${String(dtype)}".`);
  }
  const entries: [string, TensorEntry][] = [...schema].map(([name, shape]) => [
    name,
    float32ToEntry(tensors.get(name)!, [...shape], dtype),
  ]);
  try {
    return encodeSafetensors(entries, metadata);
  } catch (cause) {
    throw new FedAvgError('INVALID_UPDATE_FILE', 'Could not encode the safetensors file.', { cause });
  }
}
