import { ADAMW_DEFAULTS } from '../constants';

export interface AdamWOptions {
  /** default 0.9 */
  beta1?: number;
  /** default 0.999 */
  beta2?: number;
  /** default 1e-8 */
  eps?: number;
  /** decoupled weight decay λ (default 0.01) */
  weightDecay?: number;
  /** which tensors decay; default: matrices and embeddings (rank ≥ 2), not biases or norms */
  decays?: (name: string, shape: readonly number[]) => boolean;
}

/** Per-step constants of the AdamW update. */
interface StepConsts {
  b1: number;
  b2: number;
  /** lr / (1 − β₁ᵗ) */
  stepSize: number;
  /** 1 / √(1 − β₂ᵗ) */
  invSqrtC2: number;
  eps: number;
  /** 1 − lr·λ, or 1 for tensors without decay */
  keep: number;
  /** gradient multiplier (norm clipping) */
  scale: number;
}

function update(
  w: Float32Array,
  g: Float32Array | Float64Array,
  m: Float32Array,
  v: Float32Array,
  k: StepConsts,
): void {
  const { b1, b2, stepSize, invSqrtC2, eps, keep, scale } = k;
  const ob1 = 1 - b1;
  const ob2 = 1 - b2;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i]! * scale;
    const mi = b1 * m[i]! + ob1 * gi;
    const vi = b2 * v[i]! + ob2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i]! * keep - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
  }
}

/**
 * AdamW (Loshchilov & Hutter, decoupled weight decay), as `torch.optim.AdamW`:
 *   θ ← θ·(1 − lr·λ);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
 *   θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 * Moments are float32, one pair per tensor.
 */
export class AdamW {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decays: (name: string, shape: readonly number[]) => boolean;

  constructor(opts: AdamWOptions = {}) {
    this.beta1 = opts.beta1 ?? ADAMW_DEFAULTS.beta1;
    this.beta2 = opts.beta2 ?? ADAMW_DEFAULTS.beta2;
    this.eps = opts.eps ?? ADAMW_DEFAULTS.eps;
    this.weightDecay = opts.weightDecay ?? ADAMW_DEFAULTS.weightDecay;
    this.decays = opts.decays ?? ((_, shape) => shape.length >= 2);
  }

  /** optimizer steps taken */
  get steps(): number {
    return this.t;
  }

  /**
   * Updates `params` in place from `grads` (same names and lengths), each
   * gradient multiplied by `gradScale` first (global-norm clipping).
   */
  step(
    params: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
    grads: ReadonlyMap<string, Float32Array | Float64Array | readonly number[]>,
    lr: number,
    gradScale = 1,
  ): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    const base = {
      b1: this.beta1,
      b2: this.beta2,
      stepSize: lr / c1,
      invSqrtC2: 1 / Math.sqrt(c2),
      eps: this.eps,
      scale: gradScale,
    };
    for (const [name, g] of grads) {
      const p = params.get(name);
      if (!p || p.data.length !== g.length)
        throw new Error(`AdamW: no parameter ${name} of ${g.length} values`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = new Float32Array(p.data.length);
        v = new Float32Array(p.data.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const keep = this.decays(name, p.shape) ? 1 - lr * this.weightDecay : 1;
      update(p.data, Array.isArray(g) ? Float64Array.from(g) : (g as Float32Array | Float64Array), m, v, {
        ...base,
        keep,
      });
    }
  }
}
