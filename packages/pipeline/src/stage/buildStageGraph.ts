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

export interface BuildStageOptions {
  /** `int8` quantises projection weights blockwise (inference only) */
  weightFormat?: WeightFormat;
  /**
   * `ailo` (default): the stage contract of spec/pipeline-stage.md.
   * `optimum`: a whole-model decoder in Hugging Face Optimum's naming
   * (`attention_mask`, `past_key_values.i.key`, `present.i.key`…) that
   * computes its attention bias in-graph, as Transformers.js expects.
   */
  naming?: 'ailo' | 'optimum';
  /**
   * The last stage takes `logits_from` (int64 [1]) and computes the final
   * norm and head only for positions from it on: generation needs the last
   * position's logits, and the head is a large share of a prefill.
   */
  logitsFrom?: boolean;
}

const NAMES = {
  ailo: {
    pastKey: (i: number) => `past_key.${i}`,
    pastValue: (i: number) => `past_value.${i}`,
    presentKey: (i: number) => `present_key.${i}`,
    presentValue: (i: number) => `present_value.${i}`,
  },
  optimum: {
    pastKey: (i: number) => `past_key_values.${i}.key`,
    pastValue: (i: number) => `past_key_values.${i}.value`,
    presentKey: (i: number) => `present.${i}.key`,
    presentValue: (i: number) => `present.${i}.value`,
  },
};

/**
 * Builds the graph of one pipeline stage holding layers [start, end).
 * Stage 0 takes `input_ids`; later stages take `hidden_in`. The last stage
 * applies the final norm and head and emits `logits`; others emit `hidden_out`.
 * Every stage takes `attn_bias` [batch, 1, seq, past+seq] and per-layer
 * `past_key.i`/`past_value.i`, and returns `present_key.i`/`present_value.i`.
 */
export function buildStageGraph(
  cfg: ModelConfig,
  weights: WeightMap,
  span: LayerSpan,
  opts: BuildStageOptions = {},
): StageGraph {
  if (
    !(
      Number.isInteger(span.start) &&
      Number.isInteger(span.end) &&
      span.start >= 0 &&
      span.end <= cfg.numLayers &&
      span.start < span.end
    )
  ) {
    throw new PipelineError(
      'bad_input',
      `Invalid layer span [${span.start}, ${span.end}) for ${cfg.numLayers} layers`,
    );
  }
  const family = FAMILIES[cfg.architecture];
  const io = stageIo(cfg, span);
  const b = new GraphBuilder();
  const { hiddenSize: D, numKvHeads: Hkv, headDim: hd } = cfg;
  const x0 = io.first
    ? b.input('input_ids', 'int64', ['batch', 'seq'])
    : b.input('hidden_in', 'float32', ['batch', 'seq', D]);
  const positionIds = family.needsPositions(io.first)
    ? b.input('position_ids', 'int64', ['batch', 'seq'])
    : undefined;
  const naming = opts.naming ?? 'ailo';
  if (naming === 'optimum' && !(io.first && io.last)) {
    throw new PipelineError(
      'bad_input',
      'Optimum naming exports whole models only (one stage holding every layer)',
    );
  }
  const names = NAMES[naming];
  const bias =
    naming === 'optimum'
      ? biasFromMask(b, b.input('attention_mask', 'int64', ['batch', 'total']), x0)
      : b.input('attn_bias', 'float32', ['batch', 1, 'seq', 'total']);
  const ctx: StageContext = {
    b,
    cfg,
    weights,
    bias5: b.unsqueeze(bias, [1]),
    weightFormat: opts.weightFormat ?? 'f32',
  };
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
      key: b.input(names.pastKey(i), 'float32', ['batch', Hkv, 'past', hd]),
      value: b.input(names.pastValue(i), 'float32', ['batch', Hkv, 'past', hd]),
    };
    const r = family.block(ctx, i, x, past);
    x = r.y;
    b.output(r.presentKey, names.presentKey(i), 'float32', ['batch', Hkv, 'total', hd]);
    b.output(r.presentValue, names.presentValue(i), 'float32', ['batch', Hkv, 'total', hd]);
  }
  if (io.last) {
    // positions past the context clamp to its end, so the model's length bounds the slice
    const h = opts.logitsFrom
      ? b.op('Slice', [
          x,
          b.input('logits_from', 'int64', [1]),
          b.constInt([cfg.maxPositions]),
          b.constInt([1]),
        ])
      : x;
    const rows = opts.logitsFrom ? 'logits_seq' : 'seq';
    b.output(family.head(ctx, h), 'logits', 'float32', ['batch', rows, cfg.vocabSize]);
  } else b.output(x, 'hidden_out', 'float32', ['batch', 'seq', D]);
  return { graph: b.graph, span, first: io.first, last: io.last };
}

/**
 * In-graph additive bias [batch, 1, seq, total] from an int64 attention mask
 * [batch, total]: 0 where key t ≤ query position and is not padding; at most
 * −1e9 elsewhere (−1e9 · distance for future keys, −1e9 for padding).
 */
function biasFromMask(b: GraphBuilder, mask: string, ids: string): string {
  const FLOAT = 1;
  const scalar = (v: string) => b.reshape(v, []);
  const total = b.op('Shape', [mask], { start: 1, end: 2 });
  const seq = b.op('Shape', [ids], { start: 1, end: 2 });
  const past = b.op('Sub', [total, seq]);
  const one = b.constInt([1], []);
  const keys = b.op('Range', [b.constInt([0], []), scalar(total), one]);
  const queries = b.op('Range', [scalar(past), scalar(total), one]);
  const diff = b.op('Cast', [b.op('Sub', [b.unsqueeze(queries, [1]), b.unsqueeze(keys, [0])])], {
    to: FLOAT,
  });
  const big = b.constFloat([1e9], []);
  const causal = b.mul(b.op('Neg', [b.op('Relu', [b.op('Neg', [diff])])]), big);
  const pad = b.mul(b.op('Sub', [b.op('Cast', [mask], { to: FLOAT }), b.constFloat([1], [])]), big);
  return b.add(b.unsqueeze(causal, [0, 1]), b.unsqueeze(pad, [1, 2]));
}
