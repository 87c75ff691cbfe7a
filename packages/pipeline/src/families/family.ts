import type { GraphBuilder } from '../ir/graph';
import type { ModelConfig } from './config';
import type { WeightMap } from './weights';

/** Values shared by every block of one stage graph. */
export interface StageContext {
  b: GraphBuilder;
  cfg: ModelConfig;
  weights: WeightMap;
  /** additive attention bias [batch, 1, 1, seq, total] */
  bias5: string;
  /** RoPE tables gathered at the positions, [batch, 1, seq, headDim] (llama family only) */
  rope?: { cos: string; sin: string };
  /** position ids [batch, seq] */
  positionIds?: string;
  /** how projection weights are stored in the graph (default f32) */
  weightFormat?: WeightFormat;
}

/** `int8`: blockwise-quantised projections (MatMulNBits); embeddings and norms stay f32. */
export type WeightFormat = 'f32' | 'int8';

/** A model family described as data: its tensors and how to build its blocks. */
export interface Family {
  /** HF name prefixes a checkpoint may omit or add (e.g. `transformer.`) */
  prefixes: string[];
  /** stage inputs besides ids/hidden: does a stage need position ids? */
  needsPositions(first: boolean): boolean;
  /** token ids [batch, seq] → hidden [batch, seq, D] */
  embed(ctx: StageContext, inputIds: string): string;
  /** one decoder block; `past`/`present` are the layer's K/V values */
  block(
    ctx: StageContext,
    layer: number,
    x: string,
    past: { key: string; value: string },
  ): {
    y: string;
    presentKey: string;
    presentValue: string;
  };
  /** hidden → logits [batch, seq, vocab] (final norm + head) */
  head(ctx: StageContext, x: string): string;
}
