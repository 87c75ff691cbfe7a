import { evenSpans } from '@ailo/pipeline';
import { ProtocolError } from '@ailo/protocol';
import { tensorsForLayers } from '@ailo/virtual-tensor';
import type { NodeJoin } from '../wire/messages';
import type { ServedModel } from './ServedModel';
import type { WorkerEntry } from './WorkerRegistry';

/** Bytes of the weights a holder of [start, end) loads (embeddings/head included at the ends). */
export function spanBytes(model: ServedModel, start: number, end: number): number {
  const names = new Set(tensorsForLayers(model.manifest, start, end));
  let n = 0;
  for (const t of model.manifest.tensors) if (names.has(t.name)) for (const s of t.segments) n += s.length;
  return n;
}

/**
 * Which layers a joining worker serves. A fixed request is checked against
 * the model. `auto` picks, from the model's canonical split into `stages`
 * even spans (a fixed split, so spans of different workers always line up
 * into chains), the span with the fewest holders — ties to the first — that
 * fits the worker's memory budget.
 * @throws ProtocolError `bad_request` for a span outside the model, or when no span fits the memory budget.
 */
export function planSpan(
  model: ServedModel,
  want: NodeJoin['layers'],
  others: readonly WorkerEntry[],
  stages: number,
  memoryBytes: number,
): { start: number; end: number } {
  const L = model.config.numLayers;
  if (want) {
    if (want.start >= want.end || want.end > L) {
      throw new ProtocolError(
        'bad_request',
        `layers ${want.start}:${want.end} are not a span of ${model.id} (layers 0:${L})`,
      );
    }
    return { start: want.start, end: want.end };
  }
  const spans = evenSpans(L, Math.max(1, Math.min(stages, L)));
  const holders = spans.map(
    (s) =>
      others.filter(
        (w) =>
          (w.state === 'ready' || w.state === 'loading') &&
          w.span?.model === model.id &&
          w.span.version === model.version &&
          w.span.start === s.start &&
          w.span.end === s.end,
      ).length,
  );
  const fits = spans.map((s) => memoryBytes === 0 || spanBytes(model, s.start, s.end) <= memoryBytes);
  let best = -1;
  spans.forEach((_, i) => {
    if (fits[i] && (best < 0 || holders[i]! < holders[best]!)) best = i;
  });
  if (best < 0) {
    const need = Math.min(...spans.map((s) => spanBytes(model, s.start, s.end)));
    throw new ProtocolError(
      'bad_request',
      `no span of ${model.id} fits ${memoryBytes} bytes (the smallest needs ${need})`,
    );
  }
  return spans[best]!;
}
