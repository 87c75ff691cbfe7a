import { checkTensors } from '../checkTensors';
import { FedAvgError } from '../errors';
import { sumOfSquares } from '../kernel/sumOfSquares';
import type { TensorSchema, Tensors } from '../types';

/** Names of the server optimizers. */
export type ServerOptimizerName = 'fedavg' | 'fedavgm' | 'fedadam' | 'fedyogi';

/**
 * Applies an aggregated pseudo-gradient Δ̄ to the global model on the server.
 * `apply` returns M_{t+1} as new arrays and never modifies `model`; optimizer
 * state (momentum, second moments) is committed only after the whole step has
 * been computed, so a failed call changes nothing.
 */
export interface ServerOptimizer {
  readonly name: ServerOptimizerName;
  /** η */
  readonly serverLr: number;
  /**
   * M_{t+1} from M_t and Δ̄ (both checked against `schema` first).
   * @throws FedAvgError `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH`, `NON_FINITE`
   */
  apply(model: Tensors, schema: TensorSchema, delta: Tensors): Map<string, Float32Array>;
}

/**
 * Checks a positive finite hyper-parameter (or one in [0, 1) when `unit`).
 * @throws FedAvgError `INVALID_OPTION`
 */
export function checkHyper(value: unknown, name: string, unit = false): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (unit ? value >= 0 && value < 1 : value > 0);
  if (!ok) {
    throw new FedAvgError(
      'INVALID_OPTION',
      `${name} must be ${unit ? 'in [0, 1)' : 'a finite number > 0'}.`,
      {
        meta: { [name]: value },
      },
    );
  }
  return value as number;
}

/**
 * Validates the inputs of a server step: model and Δ̄ fit the schema and Δ̄ is finite.
 * @throws FedAvgError `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH`, `NON_FINITE`
 */
export function checkStepInputs(model: Tensors, schema: TensorSchema, delta: Tensors): void {
  checkTensors(schema, model, undefined, 'Model');
  checkTensors(schema, delta, undefined, 'Aggregate');
  for (const [name, x] of delta) {
    if (!Number.isFinite(sumOfSquares(x))) {
      throw new FedAvgError('NON_FINITE', `Aggregate tensor "${name}" holds a non-finite value.`, {
        meta: { tensor: name },
      });
    }
  }
}

/** Zero-filled (or `fill`-filled) state arrays shaped like the schema. */
export function stateLike(schema: TensorSchema, fill = 0): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of schema) {
    out.set(name, new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(fill));
  }
  return out;
}

/**
 * Returns the stored state when it was built for a schema with the same
 * names and element counts, otherwise a fresh one.
 */
export function reuseState(
  state: Map<string, Float32Array> | undefined,
  schema: TensorSchema,
  fill = 0,
): Map<string, Float32Array> {
  if (state && state.size === schema.size) {
    let same = true;
    for (const [name, shape] of schema) {
      if (state.get(name)?.length !== shape.reduce((p, d) => p * d, 1)) same = false;
    }
    if (same) return state;
  }
  return stateLike(schema, fill);
}
