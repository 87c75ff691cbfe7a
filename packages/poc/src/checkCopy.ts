import { accept, type CheckResult, reject } from './checkResult';
import { cosine } from './updateSketch';

/** A sketch to compare against and what it is (e.g. `submission ailo1…`, `global step of round 3`). */
export interface SketchReference {
  label: string;
  sketch: Float32Array;
}

/** What {@link checkCopy} measured. */
export interface CopyValue {
  /** highest cosine similarity found, or null when there was nothing to compare */
  maxCosine: number | null;
  /** label of the most similar reference */
  closest: string | null;
  compared: number;
}

/**
 * Check 5: copying. An update whose cosine similarity to any reference (another submission of
 * the round, an accepted update of a recent round, or the last global step) exceeds
 * `maxCosine` earns nothing. Pure over the sketches.
 * @returns `copied_update`
 */
export function checkCopy(
  sketch: Float32Array,
  references: readonly SketchReference[],
  maxCosine: number,
): CheckResult<CopyValue> {
  let best: number | null = null;
  let closest: string | null = null;
  for (const r of references) {
    const c = cosine(sketch, r.sketch);
    if (best === null || c > best) {
      best = c;
      closest = r.label;
    }
  }
  const value = { maxCosine: best, closest, compared: references.length };
  if (best !== null && best > maxCosine) {
    return reject(
      'copied_update',
      `The update has cosine ${best.toFixed(4)} to ${closest} (max ${maxCosine}).`,
      value,
    );
  }
  return accept(value);
}
