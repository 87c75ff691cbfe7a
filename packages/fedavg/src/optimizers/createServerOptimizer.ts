import { FedAvgError } from '../errors';
import { AdaptiveOptimizer, type AdaptiveOptions } from './AdaptiveOptimizer';
import { FedAvgMOptimizer } from './FedAvgMOptimizer';
import { FedAvgOptimizer } from './FedAvgOptimizer';
import type { ServerOptimizer, ServerOptimizerName } from './ServerOptimizer';

/** Options of {@link createServerOptimizer}; unused fields are ignored by each optimizer. */
export interface ServerOptimizerOptions extends AdaptiveOptions {
  name: ServerOptimizerName;
  /** FedAvgM β ∈ [0, 1), default 0.9 */
  momentum?: number;
}

/**
 * Builds a server optimizer by name: `fedavg` (η default 1), `fedavgm`
 * (η default 1, β 0.9), `fedadam` / `fedyogi` (η 0.01, β1 0.9, β2 0.99, τ 1e-3).
 * @throws FedAvgError `INVALID_OPTION`
 */
export function createServerOptimizer(opts: ServerOptimizerOptions): ServerOptimizer {
  const lr = opts.serverLr === undefined ? {} : { serverLr: opts.serverLr };
  switch (opts.name) {
    case 'fedavg':
      return new FedAvgOptimizer(lr);
    case 'fedavgm':
      return new FedAvgMOptimizer(opts.momentum === undefined ? lr : { ...lr, momentum: opts.momentum });
    case 'fedadam':
    case 'fedyogi': {
      const { name: _name, momentum: _m, ...rest } = opts;
      return new AdaptiveOptimizer(opts.name, rest);
    }
    default:
      throw new FedAvgError('INVALID_OPTION', `Unknown server optimizer "${String(opts.name)}".`);
  }
}
