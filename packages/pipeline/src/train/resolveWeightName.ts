import type { WeightMap } from '../families/weights';

/**
 * The key under which `weights` holds graph parameter `name`: checkpoints may
 * omit or add a family prefix (e.g. GPT-2's `transformer.`).
 */
export function resolveWeightName(
  weights: WeightMap,
  name: string,
  prefixes: readonly string[],
): string | undefined {
  if (weights.has(name)) return name;
  for (const p of prefixes) {
    const alt = name.startsWith(p) ? name.slice(p.length) : p + name;
    if (weights.has(alt)) return alt;
  }
  return undefined;
}
