import { NodeError } from '../errors';
import type { WorkerEntry } from './WorkerRegistry';

/** One stage of a route: a worker and the layers [start, end) it runs. */
export interface Hop {
  worker: WorkerEntry;
  start: number;
  end: number;
}

/** Expected cost of sending a step through `w`: its measured latency, inflated by the sessions it already serves. ms */
export function hopCost(w: WorkerEntry): number {
  return w.latencyMs * (1 + w.sessions);
}

/** Layer ranges [start, end) of [0, numLayers) that no candidate holds. */
export function missingSpans(
  candidates: readonly WorkerEntry[],
  numLayers: number,
): { start: number; end: number }[] {
  const held = new Uint8Array(numLayers);
  for (const w of candidates) if (w.span) held.fill(1, w.span.start, Math.min(w.span.end, numLayers));
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < numLayers; i++) {
    if (held[i]) continue;
    const start = i;
    while (i < numLayers && !held[i]) i++;
    out.push({ start, end: i });
  }
  return out;
}

/**
 * The cheapest chain of workers whose spans tile [0, numLayers) exactly
 * (Dijkstra over layer boundaries; an edge is a worker's span). Cost is
 * {@link hopCost}, so a chain prefers fast workers and spreads sessions.
 * Ties go to the worker with fewer steps served.
 * @throws NodeError `layers_unavailable` naming the missing span(s), or the boundary no chain gets past.
 */
export function routeChain(model: string, candidates: readonly WorkerEntry[], numLayers: number): Hop[] {
  const gaps = missingSpans(candidates, numLayers);
  if (gaps.length > 0) {
    const list = gaps.map((g) => `[${g.start}, ${g.end})`).join(', ');
    throw new NodeError('layers_unavailable', `No worker holds layers ${list} of ${model}`, {
      details: `${candidates.length} worker(s) serve other layers of this ${numLayers}-layer model`,
    });
  }
  const dist = new Array<number>(numLayers + 1).fill(Number.POSITIVE_INFINITY);
  const via = new Array<WorkerEntry | undefined>(numLayers + 1);
  const done = new Uint8Array(numLayers + 1);
  dist[0] = 0;
  for (;;) {
    let u = -1;
    for (let i = 0; i <= numLayers; i++)
      if (!done[i] && dist[i]! < Number.POSITIVE_INFINITY && (u < 0 || dist[i]! < dist[u]!)) u = i;
    if (u < 0 || u === numLayers) break;
    done[u] = 1;
    for (const w of candidates) {
      const s = w.span!;
      if (s.start !== u || s.end > numLayers) continue;
      const d = dist[u]! + hopCost(w);
      const prev = via[s.end];
      if (d < dist[s.end]! || (d === dist[s.end]! && prev && w.steps < prev.steps)) {
        dist[s.end] = d;
        via[s.end] = w;
      }
    }
  }
  if (!via[numLayers]) {
    let reach = 0;
    for (let i = 0; i <= numLayers; i++) if (dist[i]! < Number.POSITIVE_INFINITY) reach = i;
    throw new NodeError(
      'layers_unavailable',
      `No chain of workers covers ${model}: spans do not line up at layer ${reach}`,
      {
        details: `every layer is held, but no worker's span starts at layer ${reach}`,
      },
    );
  }
  const hops: Hop[] = [];
  for (let at = numLayers; at > 0; ) {
    const w = via[at]!;
    hops.unshift({ worker: w, start: w.span!.start, end: at });
    at = w.span!.start;
  }
  return hops;
}
