import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { StageContext, WeightFormat } from '../families/family';
import { FAMILIES } from '../families/index';
import type { WeightMap } from '../families/weights';
import { type Graph, GraphBuilder } from '../ir/graph';
import { ropeTables } from './rope';
import { stageIo } from './stageIo';

export interface StageGraph {
  graph: Graph;
  span: LayerSpan;
  first: boolean;
  last: boolean;
}

/**
 * Builds the graph of one pipeline stage holding layers [start, end).
 * Stage 0 takes `input_ids`; later stages take `hidden_in`. The last stage
 * applies the final norm and head and emits `logits`; others emit `hidden_out`.
 * Every stage takes `attn_bias` [batch, 1, seq, past+seq] and per-layer
 * `past_key.i`/`past_value.i`, and returns `present_key.i`/`present_value.i`.
 */
export interface BuildStageOptions {
  /** `int8` quantises projection weights blockwise (inference only) */
  weightFormat?: WeightFormat;
}

export function buildStageGraph(cfg: ModelConfig, weights: WeightMap, span: LayerSpan, opts: BuildStageOptions = {}): StageGraph {
  if (!(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.end <= cfg.numLayers && span.start < span.end)) {
    throw new PipelineError('bad_input', `Invalid layer span [${span.start}, ${span.end}) for ${cfg.numLayers} layers`);
  }
  const family = FAMILIES[cfg.architecture];
  const io = stageIo(cfg, span);
  const b = new GraphBuilder();
  const { hiddenSize: D, numKvHeads: Hkv, headDim: hd } = cfg;
  const x0 = io.first ? b.input('input_ids', 'int64', ['batch', 'seq']) : b.input('hidden_in', 'float32', ['batch', 'seq', D]);
  const positionIds = family.needsPositions(io.first) ? b.input('position_ids', 'int64', ['batch', 'seq']) : undefined;
  const bias = b.input('attn_bias', 'float32', ['batch', 1, 'seq', 'total']);
  const ctx: StageContext = { b, cfg, weights, bias5: b.unsqueeze(bias, [1]), weightFormat: opts.weightFormat ?? 'f32' };
  if (positionIds) ctx.positionIds = positionIds;
  if (cfg.architecture !== 'gpt2') {
    const t = ropeTables(cfg);
    const gather = (table: Float32Array) =>
      b.unsqueeze(b.op('Gather', [b.constFloat(table, [cfg.maxPositions, hd]), positionIds!]), [1]);
    ctx.rope = { cos: gather(t.cos), sin: gather(t.sin) };
  }
  let x = io.first ? family.embed(ctx, x0) : x0;
  for (let i = span.start; i < span.end; i++) {
    const past = {
      key: b.input(`past_key.${i}`, 'float32', ['batch', Hkv, 'past', hd]),
      value: b.input(`past_value.${i}`, 'float32', ['batch', Hkv, 'past', hd]),
    };
    const r = family.block(ctx, i, x, past);
    x = r.y;
    b.output(r.presentKey, `present_key.${i}`, 'float32', ['batch', Hkv, 'total', hd]);
    b.output(r.presentValue, `present_value.${i}`, 'float32', ['batch', Hkv, 'total', hd]);
  }
  if (io.last) b.output(family.head(ctx, x), 'logits', 'float32', ['batch', 'seq', cfg.vocabSize]);
  else b.output(x, 'hidden_out', 'float32', ['batch', 'seq', D]);
  return { graph: b.graph, span, first: io.first, last: io.last };
}
