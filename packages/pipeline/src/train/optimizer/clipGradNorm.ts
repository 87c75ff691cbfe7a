/** Added to the norm before dividing, as `torch.nn.utils.clip_grad_norm_` does. */
const CLIP_EPS = 1e-6;

function sumSquares(g: Float32Array | Float64Array): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return s;
}

/** Global L2 norm of all gradients (float64 accumulation); NaN/Inf when any element is. */
export function globalGradNorm(grads: Iterable<Float32Array | Float64Array>): number {
  let sq = 0;
  for (const g of grads) sq += sumSquares(g);
  return Math.sqrt(sq);
}

/** Factor that brings a gradient of global norm `norm` down to `maxNorm` (1 when already below). */
export function clipScale(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / (norm + CLIP_EPS) : 1;
}

/**
 * Global L2 norm of all gradients; when it exceeds `maxNorm`, scales every
 * gradient in place by maxNorm / (norm + 1e-6). Returns the norm before clipping.
 */
export function clipGradNorm(grads: Iterable<Float32Array | Float64Array>, maxNorm: number): number {
  const list = [...grads];
  const norm = globalGradNorm(list);
  const scale = clipScale(norm, maxNorm);
  if (scale !== 1) for (const g of list) for (let i = 0; i < g.length; i++) g[i]! *= scale;
  return norm;
}
