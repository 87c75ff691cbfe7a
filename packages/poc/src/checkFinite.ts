import type { TensorSchema, Tensors } from '@ailo/fedavg';
import { accept, type CheckResult, reject } from './checkResult';

/** What {@link checkFinite} measured. */
export interface FiniteValue {
  /** non-finite elements over all tensors */
  nonFinite: number;
  /** the first one, as `tensor[index]` */
  first: string | null;
}

/**
 * Check 2a: every value of Δ_k is finite (no NaN, no ±Infinity). Pure.
 * @returns `non_finite`
 */
export function checkFinite(delta: Tensors, schema: TensorSchema): CheckResult<FiniteValue> {
  let nonFinite = 0;
  let first: string | null = null;
  for (const name of schema.keys()) {
    const x = delta.get(name);
    if (!x) continue;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v - v !== 0) {
        if (first === null) first = `${name}[${i}]`;
        nonFinite++;
      }
    }
  }
  const value = { nonFinite, first };
  if (nonFinite > 0)
    return reject(
      'non_finite',
      `The update holds ${nonFinite} non-finite value(s), first at ${first}.`,
      value,
    );
  return accept(value);
}
