import type { Health } from './CoordinatorStatus';

/** For each layer of `model`, how many ready workers serve it. */
export function layerCoverage(health: Health, model: string, layers: number): number[] {
  const out = new Array<number>(layers).fill(0);
  for (const w of health.workers) {
    if (w.state !== 'ready' || !w.span || w.span.model !== model) continue;
    for (let l = w.span.start; l < Math.min(w.span.end, layers); l++) out[l]!++;
  }
  return out;
}
