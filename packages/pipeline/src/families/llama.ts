import { attention, linearT, rmsNorm, weight } from './blocks';
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
    const hIn = rmsNorm(ctx, x, w('input_layernorm.weight', [D]));
    const bias = (s: string, d: number) => (cfg.attentionBias ? w(`self_attn.${s}.bias`, [d]) : undefined);
    const q = linearT(ctx, hIn, w('self_attn.q_proj.weight', [qd, D]), bias('q_proj', qd));
    const k = linearT(ctx, hIn, w('self_attn.k_proj.weight', [kvd, D]), bias('k_proj', kvd));
    const v = linearT(ctx, hIn, w('self_attn.v_proj.weight', [kvd, D]), bias('v_proj', kvd));
    const att = attention(ctx, q, k, v, past, true);
    // Llama's attention_bias also biases o_proj; Qwen2 biases q/k/v only
    const oBias = cfg.attentionBias && cfg.architecture === 'llama' ? w('self_attn.o_proj.bias', [D]) : undefined;
    const h = b.add(x, linearT(ctx, att.out, w('self_attn.o_proj.weight', [D, qd]), oBias));
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
