import { attention, linearT, rmsNorm, weight } from './blocks';
import type { Family } from './family';

const PREFIXES: string[] = [];

/** Llama / Qwen2: RoPE, RMSNorm, SwiGLU, grouped-query attention, optional QKV bias, tied or untied head. */
export const llama: Family = {
  prefixes: PREFIXES,
  needsPositions: () => true,
  embeddingTensors: (c) => [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.hiddenSize] }],
  layerTensors: (c, i) => {
    const D = c.hiddenSize;
    const qd = c.numHeads * c.headDim;
    const kvd = c.numKvHeads * c.headDim;
    const p = `model.layers.${i}.`;
    const bias = c.qkvBias
      ? [
          { name: `${p}self_attn.q_proj.bias`, shape: [qd] },
          { name: `${p}self_attn.k_proj.bias`, shape: [kvd] },
          { name: `${p}self_attn.v_proj.bias`, shape: [kvd] },
        ]
      : [];
    return [
      { name: `${p}input_layernorm.weight`, shape: [D] },
      { name: `${p}self_attn.q_proj.weight`, shape: [qd, D] },
      { name: `${p}self_attn.k_proj.weight`, shape: [kvd, D] },
      { name: `${p}self_attn.v_proj.weight`, shape: [kvd, D] },
      ...bias,
      { name: `${p}self_attn.o_proj.weight`, shape: [D, qd] },
      { name: `${p}post_attention_layernorm.weight`, shape: [D] },
      { name: `${p}mlp.gate_proj.weight`, shape: [c.intermediateSize, D] },
      { name: `${p}mlp.up_proj.weight`, shape: [c.intermediateSize, D] },
      { name: `${p}mlp.down_proj.weight`, shape: [D, c.intermediateSize] },
    ];
  },
  headTensors: (c) => [
    { name: 'model.norm.weight', shape: [c.hiddenSize] },
    { name: c.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', shape: [c.vocabSize, c.hiddenSize] },
  ],
  embed(ctx, ids) {
    const emb = weight(ctx, 'model.embed_tokens.weight', [ctx.cfg.vocabSize, ctx.cfg.hiddenSize], PREFIXES);
    return ctx.b.op('Gather', [emb, ids]);
  },
  block(ctx, i, x, past) {
    const { b, cfg } = ctx;
    const D = cfg.hiddenSize;
    const qd = cfg.numHeads * cfg.headDim;
    const kvd = cfg.numKvHeads * cfg.headDim;
    const F = cfg.intermediateSize;
    const w = (s: string, shape: number[]) => weight(ctx, `model.layers.${i}.${s}`, shape, PREFIXES);
    const hIn = rmsNorm(ctx, x, w('input_layernorm.weight', [D]));
    const bias = (s: string, d: number) => (cfg.qkvBias ? w(`self_attn.${s}.bias`, [d]) : undefined);
    const q = linearT(ctx, hIn, w('self_attn.q_proj.weight', [qd, D]), bias('q_proj', qd));
    const k = linearT(ctx, hIn, w('self_attn.k_proj.weight', [kvd, D]), bias('k_proj', kvd));
    const v = linearT(ctx, hIn, w('self_attn.v_proj.weight', [kvd, D]), bias('v_proj', kvd));
    const att = attention(ctx, q, k, v, past, true);
    const h = b.add(x, linearT(ctx, att.out, w('self_attn.o_proj.weight', [D, qd])));
    const hPost = rmsNorm(ctx, h, w('post_attention_layernorm.weight', [D]));
    const gate = linearT(ctx, hPost, w('mlp.gate_proj.weight', [F, D]));
    const up = linearT(ctx, hPost, w('mlp.up_proj.weight', [F, D]));
    const act = b.mul(b.mul(gate, b.op('Sigmoid', [gate])), up);
    const y = b.add(h, linearT(ctx, act, w('mlp.down_proj.weight', [D, F])));
    return { y, presentKey: att.presentKey, presentValue: att.presentValue };
  },
  head(ctx, x) {
    const { cfg } = ctx;
    const normed = rmsNorm(ctx, x, weight(ctx, 'model.norm.weight', [cfg.hiddenSize], PREFIXES));
    const headName = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    return linearT(ctx, normed, weight(ctx, headName, [cfg.vocabSize, cfg.hiddenSize], PREFIXES));
  },
};
