/** Dimensions of one tensor, outermost first. */
export type TensorShape = readonly number[];

/**
 * The layout of a model: tensor name → shape. Every update, aggregate and
 * optimizer step is checked against it. Iteration order is irrelevant.
 */
export type TensorSchema = ReadonlyMap<string, TensorShape>;

/** Named float32 tensors (a model, a client delta or an aggregate), row-major. */
export type Tensors = ReadonlyMap<string, Float32Array>;

/**
 * One client's contribution to a round.
 *
 * `delta` is the pseudo-gradient Δ_k: for classic FedAvg, Δ_k = M_t − M_k
 * (base model minus the locally trained model), so that the server applies
 * M_{t+1} = M_t − η · Σ_k (n_k / n) · Δ_k.
 */
export interface ClientUpdate {
  /** Δ_k per tensor; names and element counts must match the schema */
  readonly delta: Tensors;
  /** n_k: local training samples, a positive integer */
  readonly numSamples: number;
  /** shapes as the client declared them (update files carry them); checked against the schema when given */
  readonly shapes?: TensorSchema;
}

/**
 * An update that passed {@link checkUpdate}: names, shapes, dtype, finiteness
 * and n_k were verified and its L2 norm measured. Aggregators skip the checks
 * for it. The arrays are borrowed: do not modify them afterwards.
 */
export interface CheckedUpdate extends ClientUpdate {
  readonly checked: true;
  /** ‖Δ_k‖₂ over all tensors, computed in float64 */
  readonly norm: number;
}
