import { DEFAULT_SERVER_LR } from '../constants';
import type { TensorSchema, Tensors } from '../types';
import { checkHyper, checkStepInputs, type ServerOptimizer } from './ServerOptimizer';

/**
 * Plain FedAvg server step: M_{t+1} = M_t − η · Δ̄, computed per element in
 * float64 and rounded once to float32. η = 1 (default) is classic FedAvg.
 */
export class FedAvgOptimizer implements ServerOptimizer {
  readonly name = 'fedavg' as const;
  readonly serverLr: number;

  constructor(opts: { serverLr?: number } = {}) {
    this.serverLr = checkHyper(opts.serverLr ?? DEFAULT_SERVER_LR, 'serverLr');
  }

  apply(model: Tensors, schema: TensorSchema, delta: Tensors): Map<string, Float32Array> {
    checkStepInputs(model, schema, delta);
    const eta = this.serverLr;
    const out = new Map<string, Float32Array>();
    for (const name of schema.keys()) {
      const m = model.get(name)!;
      const d = delta.get(name)!;
      const y = new Float32Array(m.length);
      for (let i = 0; i < m.length; i++) y[i] = m[i]! - eta * d[i]!;
      out.set(name, y);
    }
    return out;
  }
}
