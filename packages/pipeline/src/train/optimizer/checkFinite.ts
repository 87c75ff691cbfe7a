import { PipelineError } from '../../errors';

/**
 * Throws `non_finite` when the loss or any gradient holds NaN or ±Inf.
 * Called before an optimizer step so bad values never reach the weights.
 */
export function checkFinite(loss: number, grads: ReadonlyMap<string, ArrayLike<number>>): void {
  if (!Number.isFinite(loss)) {
    throw new PipelineError('non_finite', `Training loss is ${loss}`, {
      details: 'Weights were left unchanged.',
    });
  }
  for (const [name, g] of grads) {
    for (let i = 0; i < g.length; i++) {
      if (!Number.isFinite(g[i]!)) {
        throw new PipelineError('non_finite', `Gradient of ${name} is ${g[i]} at index ${i}`, {
          details: 'Weights were left unchanged.',
        });
      }
    }
  }
}
