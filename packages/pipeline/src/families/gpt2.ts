import { attention, projection, weight } from './blocks';
import type { Family, StageContext } from './family';

const PREFIXES = ['transformer.'];
const n = (s: string) => `transformer.${s}`;

/** GPT-2: learned positions, pre-LayerNorm blocks, fused QKV Conv1D ([in, out]), GELU-tanh, tied head. */
export const gpt2: Family = {
  prefixes: PREFIXES,
  needsPositions: (first) => first,
  embed(ctx, ids) {
    const { b, cfg } = ctx;
    const wte = weight(ctx, n('wte.weight'), [cfg.vocabSize, cfg.hiddenSize], PREFIXES);
    const wpe = weight(ctx, n('wpe.weight'), [cfg.maxPositions, cfg.hiddenSize], PREFIXES);
    return b.add(b.op('Gather', [wte, ids]), b.op('Gather', [wpe, ctx.positionIds!]));
  },
  block(ctx, i, x, past) {
    const { b, cfg } = ctx;
    const D = cfg.hiddenSize;
    const w = (s: string, shape: number[]) => weight(ctx, n(`h.${i}.${s}`), shape, PREFIXES);
    const proj = (v: string, s: string, shape: number[]) =>
      projection(ctx, v, n(`h.${i}.${s}.weight`), shape, 'in_out', PREFIXES, w(`${s}.bias`, [shape[1]!]));
    const ln = (s: string, v: string) =>
      b.op('LayerNormalization', [v, w(`${s}.weight`, [D]), w(`${s}.bias`, [D])], {
        axis: -1,
        epsilon: cfg.normEps,
      });
    const qkv = proj(ln('ln_1', x), 'attn.c_attn', [D, 3 * D]);
    const q = b.slice(qkv, -1, 0, D);
    const k = b.slice(qkv, -1, D, 2 * D);
    const v = b.slice(qkv, -1, 2 * D, 3 * D);
    const att = attention(ctx, q, k, v, past, false);
    const h = b.add(x, proj(att.out, 'attn.c_proj', [D, D]));
    const F = cfg.intermediateSize;
    const fc = proj(ln('ln_2', h), 'mlp.c_fc', [D, F]);
    const act = b.op('Gelu', [fc], { approximate: 'tanh' });
    const y = b.add(h, proj(act, 'mlp.c_proj', [F, D]));
    return { y, presentKey: att.presentKey, presentValue: att.presentValue };
  },
  head(ctx: StageContext, x) {
    const { b, cfg } = ctx;
    const D = cfg.hiddenSize;
    const lnf = b.op(
      'LayerNormalization',
      [x, weight(ctx, n('ln_f.weight'), [D], PREFIXES), weight(ctx, n('ln_f.bias'), [D], PREFIXES)],
      { axis: -1, epsilon: cfg.normEps },
    );
    return projection(ctx, lnf, n('wte.weight'), [cfg.vocabSize, D], 'out_in', PREFIXES);
  },
};
