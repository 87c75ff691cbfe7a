import type { Aggregator } from './Aggregator';
import { BufferedAggregator, type RobustRuleOptions } from './BufferedAggregator';
import { type FedAvgOptions, StreamingAggregator } from './StreamingAggregator';
import type { TensorSchema } from './types';

/** Options of any aggregation rule: streaming FedAvg, or a buffered robust rule. */
export type AggregatorOptions = FedAvgOptions | RobustRuleOptions;

/**
 * Creates the aggregator for `opts.rule` (default `fedavg`): a
 * {@link StreamingAggregator} (O(model) memory) or a {@link BufferedAggregator}
 * (holds every update; requires `maxClients`).
 */
export function createAggregator(schema: TensorSchema, opts: AggregatorOptions = {}): Aggregator {
  if (opts.rule === 'trimmed-mean' || opts.rule === 'median' || opts.rule === 'krum') {
    return new BufferedAggregator(schema, opts);
  }
  return new StreamingAggregator(schema, opts);
}
