import { DEFAULT_ADAPTIVE_SERVER_LR, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_TAU } from '../constants';
import type { TensorSchema, Tensors } from '../types';
import { checkHyper, checkStepInputs, reuseState, type ServerOptimizer } from './ServerOptimizer';

/** Hyper-parameters of FedAdam / FedYogi (Reddi et al. 2021, "Adaptive Federated Optimization"). */
export interface AdaptiveOptions {
  /** η, default 0.01 */
  serverLr?: number;
  /** β1 ∈ [0, 1), default 0.9 */
  beta1?: number;
  /** β2 ∈ [0, 1), default 0.99 */
  beta2?: number;
  /** τ > 0: adaptivity, default 1e-3; v starts at τ² (paper, Algorithm 2) */
  tau?: number;
}

/**
 * FedAdam and FedYogi (Reddi et al. 2021, Algorithm 2), written for the
 * pseudo-gradient Δ̄ (so the step is subtracted):
 *   m ← β1·m + (1 − β1)·Δ̄
 *   Adam: v ← β2·v + (1 − β2)·Δ̄²      Yogi: v ← v − (1 − β2)·Δ̄²·sign(v − Δ̄²)
 *   M_{t+1} = M_t − η · m / (√v + τ)
 * with m = 0 and v = τ² before the first round and no bias correction.
 */
export class AdaptiveOptimizer implements ServerOptimizer {
  readonly name: 'fedadam' | 'fedyogi';
  readonly serverLr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;
  private moments: { m: Map<string, Float32Array>; v: Map<string, Float32Array> } | undefined;

  constructor(variant: 'fedadam' | 'fedyogi', opts: AdaptiveOptions = {}) {
    this.name = variant;
    this.serverLr = checkHyper(opts.serverLr ?? DEFAULT_ADAPTIVE_SERVER_LR, 'serverLr');
    this.beta1 = checkHyper(opts.beta1 ?? DEFAULT_BETA1, 'beta1', true);
    this.beta2 = checkHyper(opts.beta2 ?? DEFAULT_BETA2, 'beta2', true);
    this.tau = checkHyper(opts.tau ?? DEFAULT_TAU, 'tau');
  }

  /** First and second moment buffers (copies), or undefined before the first step. */
  get state(): { m: Map<string, Float32Array>; v: Map<string, Float32Array> } | undefined {
    if (!this.moments) return undefined;
    const copy = (s: Map<string, Float32Array>) => new Map([...s].map(([k, x]) => [k, x.slice()]));
    return { m: copy(this.moments.m), v: copy(this.moments.v) };
  }

  apply(model: Tensors, schema: TensorSchema, delta: Tensors): Map<string, Float32Array> {
    checkStepInputs(model, schema, delta);
    const { serverLr: eta, beta1: b1, beta2: b2, tau } = this;
    const m0 = reuseState(this.moments?.m, schema);
    const v0 = reuseState(this.moments?.v, schema, tau * tau);
    const yogi = this.name === 'fedyogi';
    const out = new Map<string, Float32Array>();
    const mNext = new Map<string, Float32Array>();
    const vNext = new Map<string, Float32Array>();
    for (const name of schema.keys()) {
      const x = model.get(name)!;
      const d = delta.get(name)!;
      const mp = m0.get(name)!;
      const vp = v0.get(name)!;
      const mn = new Float32Array(x.length);
      const vn = new Float32Array(x.length);
      const y = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const g = d[i]!;
        const g2 = g * g;
        const mi = b1 * mp[i]! + (1 - b1) * g;
        const vi = yogi ? vp[i]! - (1 - b2) * g2 * Math.sign(vp[i]! - g2) : b2 * vp[i]! + (1 - b2) * g2;
        mn[i] = mi;
        vn[i] = vi;
        y[i] = x[i]! - (eta * mi) / (Math.sqrt(vi) + tau);
      }
      out.set(name, y);
      mNext.set(name, mn);
      vNext.set(name, vn);
    }
    this.moments = { m: mNext, v: vNext };
    return out;
  }
}
