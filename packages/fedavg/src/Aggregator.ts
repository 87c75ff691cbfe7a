import type { DpReport } from './differentialPrivacy';
import type { CheckedUpdate, ClientUpdate } from './types';

/** Aggregation rules. `fedavg` streams; the robust rules buffer every update. */
export type RuleName = 'fedavg' | 'trimmed-mean' | 'median' | 'krum';

/** What an aggregator produces: the aggregated pseudo-gradient Δ̄ and its provenance. */
export interface AggregateResult {
  rule: RuleName;
  /** Δ̄: for `fedavg`, Σ_k (n_k / n) · Δ_k; the server applies M_{t+1} = M_t − η · Δ̄ */
  delta: Map<string, Float32Array>;
  /** K: updates aggregated */
  clients: number;
  /** n = Σ n_k over the aggregated updates */
  numSamples: number;
  /** updates scaled down by norm clipping */
  clipped: number;
  /** set when differential privacy noise was added */
  dp?: DpReport;
  /** Krum: arrival indices (0-based) of the selected updates */
  selected?: number[];
}

/**
 * Common surface of {@link StreamingAggregator} (memory O(model)) and
 * {@link BufferedAggregator} (memory O(clients × model)).
 */
export interface Aggregator {
  /** `streaming`: folds each update on arrival; `buffered`: keeps all updates until {@link finish} */
  readonly kind: 'streaming' | 'buffered';
  readonly rule: RuleName;
  /** updates added so far */
  readonly clients: number;
  /** Σ n_k of the updates added so far */
  readonly numSamples: number;
  /**
   * Validates (unless already checked against this schema) and adds one update.
   * A rejected update leaves the aggregator exactly as it was.
   */
  add(update: ClientUpdate | CheckedUpdate): CheckedUpdate;
  /** Produces the aggregate; the aggregator cannot be used afterwards. */
  finish(): AggregateResult;
}
