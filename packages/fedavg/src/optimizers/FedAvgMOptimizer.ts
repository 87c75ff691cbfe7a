import { DEFAULT_SERVER_LR, DEFAULT_SERVER_MOMENTUM } from '../constants';
import type { TensorSchema, Tensors } from '../types';
import { checkHyper, checkStepInputs, reuseState, type ServerOptimizer } from './ServerOptimizer';

/**
 * FedAvgM (Hsu et al. 2019): server momentum over rounds,
 * v ← β · v + Δ̄; M_{t+1} = M_t − η · v, with v = 0 before the first round.
 */
export class FedAvgMOptimizer implements ServerOptimizer {
  readonly name = 'fedavgm' as const;
  readonly serverLr: number;
  /** β */
  readonly momentum: number;
  private velocity: Map<string, Float32Array> | undefined;

  constructor(opts: { serverLr?: number; momentum?: number } = {}) {
    this.serverLr = checkHyper(opts.serverLr ?? DEFAULT_SERVER_LR, 'serverLr');
    this.momentum = checkHyper(opts.momentum ?? DEFAULT_SERVER_MOMENTUM, 'momentum', true);
  }

  /** The momentum buffer v (a copy), or undefined before the first step. */
  get state(): Map<string, Float32Array> | undefined {
    return this.velocity && new Map([...this.velocity].map(([k, v]) => [k, v.slice()]));
  }

  apply(model: Tensors, schema: TensorSchema, delta: Tensors): Map<string, Float32Array> {
    checkStepInputs(model, schema, delta);
    const prev = reuseState(this.velocity, schema);
    const { serverLr: eta, momentum: beta } = this;
    const out = new Map<string, Float32Array>();
    const next = new Map<string, Float32Array>();
    for (const name of schema.keys()) {
      const m = model.get(name)!;
      const d = delta.get(name)!;
      const v0 = prev.get(name)!;
      const v = new Float32Array(m.length);
      const y = new Float32Array(m.length);
      for (let i = 0; i < m.length; i++) {
        const vi = beta * v0[i]! + d[i]!;
        v[i] = vi;
        y[i] = m[i]! - eta * vi;
      }
      out.set(name, y);
      next.set(name, v);
    }
    this.velocity = next;
    return out;
  }
}
