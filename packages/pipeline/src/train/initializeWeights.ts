import { modelTensors } from '@ailo/virtual-tensor';
import type { ModelConfig } from '../families/config';
import type { Weight } from '../families/weights';
import { seededRandom } from '../generate/sampling';
import { INIT_STD } from './constants';

/** Standard normal samples from a seeded uniform source (Box–Muller). */
function normalSource(seed: number): () => number {
  const u = seededRandom(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const t = 2 * Math.PI * u();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/**
 * Fresh weights for a config, HF-style: norms 1, biases 0, every matrix and
 * embedding N(0, 0.02²); GPT-2 residual projections (`c_proj`) are scaled by
 * 1/√(2·layers) as in HF `GPT2PreTrainedModel._init_weights`. Deterministic for a seed.
 */
export function initializeWeights(config: ModelConfig, seed = 0): Map<string, Weight> {
  const normal = normalSource(seed);
  const out = new Map<string, Weight>();
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = t.shape.length === 1 && /(ln_\d|ln_f|norm|layernorm)\.weight$/.test(t.name);
    if (isNorm) data.fill(1);
    else if (t.shape.length > 1) {
      const std = /c_proj\.weight$/.test(t.name) ? INIT_STD / Math.sqrt(2 * config.numLayers) : INIT_STD;
      for (let i = 0; i < n; i++) data[i] = std * normal();
    }
    out.set(t.name, { shape: [...t.shape], data });
  }
  return out;
}
