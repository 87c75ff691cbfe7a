import type { LayerSpan, ModelConfig } from '../families/config';
import { FAMILIES } from '../families/index';

/** Names of a stage's inputs and outputs: the contract between stages (spec/pipeline-stage.md). */
export interface StageIo {
  first: boolean;
  last: boolean;
  /** `input_ids` on the first stage, else `hidden_in` */
  input: 'input_ids' | 'hidden_in';
  /** `logits` on the last stage, else `hidden_out` */
  output: 'logits' | 'hidden_out';
  needsPositions: boolean;
  layers: number[];
}

export function stageIo(cfg: ModelConfig, span: LayerSpan): StageIo {
  const first = span.start === 0;
  const last = span.end === cfg.numLayers;
  const layers: number[] = [];
  for (let i = span.start; i < span.end; i++) layers.push(i);
  return {
    first,
    last,
    input: first ? 'input_ids' : 'hidden_in',
    output: last ? 'logits' : 'hidden_out',
    needsPositions: FAMILIES[cfg.architecture].needsPositions(first),
    layers,
  };
}
