import { PipelineError } from '../errors';

/** A float32 weight in HF layout (row-major, HF shape). */
export interface Weight {
  shape: number[];
  data: Float32Array;
}

/** Named weights by HF tensor name. */
export type WeightMap = ReadonlyMap<string, Weight>;

/** Looks up an HF weight, accepting checkpoints saved with or without a model prefix. */
export function getWeight(
  weights: WeightMap,
  name: string,
  shape: number[],
  prefixes: string[] = [],
): Weight {
  let w = weights.get(name);
  for (const p of prefixes) {
    if (w) break;
    w = name.startsWith(p) ? weights.get(name.slice(p.length)) : weights.get(p + name);
  }
  if (!w) throw new PipelineError('bad_weights', `Missing weight ${name}`);
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new PipelineError(
      'bad_weights',
      `Weight ${name} has shape [${w.shape}], config implies [${shape}]`,
    );
  }
  return w;
}
