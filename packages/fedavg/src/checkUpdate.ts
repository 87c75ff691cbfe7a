import { checkSchema } from './checkSchema';
import { checkTensors } from './checkTensors';
import { MAX_NUM_SAMPLES } from './constants';
import { FedAvgError } from './errors';
import { sumOfSquares } from './kernel/sumOfSquares';
import type { KernelBackend } from './kernel/WasmArena';
import type { CheckedUpdate, ClientUpdate, TensorSchema } from './types';

/** Which schema each {@link CheckedUpdate} was checked against (an aggregator re-checks otherwise). */
const checkedAgainst = new WeakMap<object, TensorSchema>();

/**
 * Records that `update` passed every check of {@link checkUpdate} against `schema`
 * (for aggregators that verify while folding) and returns it as a {@link CheckedUpdate}.
 */
export function markChecked(update: ClientUpdate, schema: TensorSchema, norm: number): CheckedUpdate {
  const checked: CheckedUpdate = { ...update, checked: true, norm };
  checkedAgainst.set(checked, schema);
  return checked;
}

/**
 * Throws `NON_FINITE` naming the first non-finite element of `delta`.
 * @throws FedAvgError `NON_FINITE` always
 */
export function throwNonFinite(schema: TensorSchema, delta: ClientUpdate['delta']): never {
  for (const name of schema.keys()) {
    const x = delta.get(name)!;
    const index = x.findIndex((v) => !Number.isFinite(v));
    if (index >= 0) {
      throw new FedAvgError('NON_FINITE', `Tensor "${name}" holds a non-finite value.`, {
        details: `Element ${index} is ${x[index]}.`,
        meta: { tensor: name, index, value: x[index] },
      });
    }
  }
  throw new FedAvgError('NON_FINITE', 'The update holds a non-finite value.');
}

/** True when `update` came from {@link checkUpdate} with this very schema object. */
export function isCheckedFor(update: ClientUpdate, schema: TensorSchema): update is CheckedUpdate {
  return checkedAgainst.get(update) === schema;
}

/**
 * Checks n_k is a positive safe integer.
 * @throws FedAvgError `INVALID_NUM_SAMPLES`
 */
export function checkNumSamples(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0 || n > MAX_NUM_SAMPLES) {
    throw new FedAvgError('INVALID_NUM_SAMPLES', 'numSamples must be a positive integer.', {
      details: `Got ${typeof n === 'number' ? n : typeof n}.`,
      meta: { numSamples: n },
    });
  }
}

/**
 * Checks that adding n_k to a running Σ n_k stays an exact integer (≤ 2⁵³ − 1).
 * @throws FedAvgError `INVALID_NUM_SAMPLES`
 */
export function checkSampleTotal(total: number, numSamples: number): void {
  if (total + numSamples > MAX_NUM_SAMPLES) {
    throw new FedAvgError('INVALID_NUM_SAMPLES', 'The total of numSamples would exceed 2^53 − 1.', {
      meta: { total, numSamples },
    });
  }
}

/** Options of {@link checkUpdate}. */
export interface CheckUpdateOptions {
  /** kernel for the norm pass; default `wasm-simd` where available */
  backend?: KernelBackend;
}

/**
 * Validates an update against the model schema and measures its L2 norm, in
 * one read of the update. Nothing is modified.
 *
 * Checks, in order: n_k (positive integer); tensor names (none missing, none
 * extra); dtype (each tensor a `Float32Array`); shapes (element count, and the
 * declared `shapes` when present); values (no NaN/±Infinity).
 * @throws FedAvgError `INVALID_NUM_SAMPLES`, `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH`, `NON_FINITE`
 */
export function checkUpdate(
  schema: TensorSchema,
  update: ClientUpdate,
  opts: CheckUpdateOptions = {},
): CheckedUpdate {
  checkSchema(schema);
  checkNumSamples(update.numSamples);
  checkTensors(schema, update.delta, update.shapes);
  const { delta } = update;
  let sumsq = 0;
  for (const name of schema.keys()) {
    const x = delta.get(name)!;
    const s = sumOfSquares(x, opts.backend);
    if (!Number.isFinite(s)) throwNonFinite(schema, delta);
    sumsq += s;
  }
  return markChecked(update, schema, Math.sqrt(sumsq));
}
