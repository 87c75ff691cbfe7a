import type { FloatDType } from '@ailo/virtual-tensor';
import { checkNumSamples, checkUpdate } from './checkUpdate';
import { META_BASE, META_NUM_SAMPLES, META_ROUND } from './constants';
import { FedAvgError } from './errors';
import { decodeTensorFile, encodeTensorFile } from './tensorFile';
import type { TensorSchema, Tensors } from './types';

/** An update as exchanged in files (spec/fl.md §2): Δ_k, n_k, round t and base model hash. */
export interface UpdateFileContents {
  delta: Map<string, Float32Array>;
  /** shapes as stored in the file */
  shapes: Map<string, number[]>;
  /** n_k */
  numSamples: number;
  /** t */
  round: number;
  /** {@link modelHash} of M_t, 64 lowercase hex digits */
  base: string;
  /** the whole `__metadata__` map, including keys this package does not interpret */
  metadata: Record<string, string>;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HASH = /^[0-9a-f]{64}$/;

/**
 * Checks a round number: a non-negative safe integer.
 * @throws FedAvgError `INVALID_OPTION`
 */
export function checkRoundNumber(round: unknown): asserts round is number {
  if (typeof round !== 'number' || !Number.isSafeInteger(round) || round < 0) {
    throw new FedAvgError('INVALID_OPTION', 'round must be a non-negative integer.', { meta: { round } });
  }
}

/**
 * Checks a model hash: 64 lowercase hex digits.
 * @throws FedAvgError `INVALID_OPTION`
 */
export function checkHash(hash: unknown, what = 'base'): asserts hash is string {
  if (typeof hash !== 'string' || !HASH.test(hash)) {
    throw new FedAvgError('INVALID_OPTION', `${what} must be a sha256 hash (64 lowercase hex digits).`, {
      meta: { [what]: hash },
    });
  }
}

/**
 * Encodes an update file: safetensors with `__metadata__`
 * `{"num_samples": "<n_k>", "round": "<t>", "base": "<hash>"}` plus any extra
 * `metadata`. The update is fully checked first (names, shapes, finite, n_k).
 * @param dtype storage dtype, default f32 (f16/bf16 halve the size, lossy)
 * @throws FedAvgError from `checkUpdate`, `INVALID_OPTION` for a bad round or hash
 */
export function encodeUpdateFile(
  update: {
    delta: Tensors;
    shapes: TensorSchema;
    numSamples: number;
    round: number;
    base: string;
    metadata?: Record<string, string>;
  },
  dtype: FloatDType = 'f32',
): Uint8Array {
  checkUpdate(update.shapes, { delta: update.delta, numSamples: update.numSamples });
  checkRoundNumber(update.round);
  checkHash(update.base);
  return encodeTensorFile(
    update.delta,
    update.shapes,
    {
      ...update.metadata,
      [META_NUM_SAMPLES]: String(update.numSamples),
      [META_ROUND]: String(update.round),
      [META_BASE]: update.base,
    },
    dtype,
  );
}

/**
 * Decodes an update file and validates its metadata. Tensor values are not
 * checked here (aggregators check them); F16/BF16 tensors are widened to float32.
 * @throws FedAvgError `INVALID_UPDATE_FILE` (malformed file, missing/invalid `round` or `base`),
 *   `INVALID_NUM_SAMPLES`, `DTYPE_MISMATCH`
 */
export function decodeUpdateFile(
  bytes: Uint8Array,
  opts: { maxHeaderBytes?: number } = {},
): UpdateFileContents {
  const file = decodeTensorFile(bytes, opts);
  const meta = file.metadata;
  for (const key of [META_NUM_SAMPLES, META_ROUND, META_BASE]) {
    if (meta[key] === undefined) {
      throw new FedAvgError('INVALID_UPDATE_FILE', `Update file metadata lacks "${key}".`, {
        details: 'Update files carry __metadata__ {"num_samples", "round", "base"}.',
        meta: { key },
      });
    }
  }
  const ns = meta[META_NUM_SAMPLES]!;
  const numSamples = DECIMAL.test(ns) ? Number(ns) : Number.NaN;
  try {
    checkNumSamples(numSamples);
  } catch (cause) {
    throw new FedAvgError(
      'INVALID_NUM_SAMPLES',
      `Update file num_samples "${ns}" is not a positive integer.`,
      {
        cause,
        meta: { numSamples: ns },
      },
    );
  }
  const r = meta[META_ROUND]!;
  const round = DECIMAL.test(r) ? Number(r) : Number.NaN;
  if (!Number.isSafeInteger(round)) {
    throw new FedAvgError('INVALID_UPDATE_FILE', `Update file round "${r}" is not a non-negative integer.`, {
      meta: { round: r },
    });
  }
  const base = meta[META_BASE]!;
  if (!HASH.test(base)) {
    throw new FedAvgError('INVALID_UPDATE_FILE', 'Update file base is not a sha256 hash.', {
      details: `Expected 64 lowercase hex digits, got "${base}".`,
      meta: { base },
    });
  }
  return { delta: file.tensors, shapes: file.schema, numSamples, round, base, metadata: meta };
}
