import { attention, projection, rmsNorm, weight } from './blocks';
import type { Family } from './family';

const PREFIXES: string[] = [];

/** Llama / Qwen2: RoPE, RMSNorm, SwiGLU, grouped-query attention, optional QKV bias, tied or untied head. */
export const llama: Family = {
  prefixes: PREFIXES,
  needsPositions: () => true,
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
    const proj = (v: string, s: string, shape: number[], bias?: string) =>
      projection(ctx, v, `model.layers.${i}.${s}.weight`, shape, 'out_in', PREFIXES, bias);
    const hIn = rmsNorm(ctx, x, w('input_layernorm.weight', [D]));
    const bias = (s: string, d: number) => (cfg.attentionBias ? w(`self_attn.${s}.bias`, [d]) : undefined);
    const q = proj(hIn, 'self_attn.q_proj', [qd, D], bias('q_proj', qd));
    const k = proj(hIn, 'self_attn.k_proj', [kvd, D], bias('k_proj', kvd));
    const v = proj(hIn, 'self_attn.v_proj', [kvd, D], bias('v_proj', kvd));
    const att = attention(ctx, q, k, v, past, true);
    // Llama's attention_bias also biases o_proj; Qwen2 biases q/k/v only
    const oBias =
      cfg.attentionBias && cfg.architecture === 'llama' ? w('self_attn.o_proj.bias', [D]) : undefined;
    const h = b.add(x, proj(att.out, 'self_attn.o_proj', [D, qd], oBias));
    const hPost = rmsNorm(ctx, h, w('post_attention_layernorm.weight', [D]));
    const gate = proj(hPost, 'mlp.gate_proj', [F, D]);
    const up = proj(hPost, 'mlp.up_proj', [F, D]);
    const act = b.mul(b.mul(gate, b.op('Sigmoid', [gate])), up);
    const y = b.add(h, proj(act, 'mlp.down_proj', [D, F]));
    return { y, presentKey: att.presentKey, presentValue: att.presentValue };
  },
  head(ctx, x) {
    const { cfg } = ctx;
    const normed = rmsNorm(ctx, x, weight(ctx, 'model.norm.weight', [cfg.hiddenSize], PREFIXES));
    const headName = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    return projection(ctx, normed, headName, [cfg.vocabSize, cfg.hiddenSize], 'out_in', PREFIXES);
  },
};
