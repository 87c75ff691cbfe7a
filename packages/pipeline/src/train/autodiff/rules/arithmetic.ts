import { type Contribution, dense } from '../contribution';
import { reduceTo } from '../reduceTo';
import type { GradContext, GradRule } from './gradRule';

type Terms = Array<[string, Contribution]>;

/** d(a ∘ b): per-input local gradient, summed over broadcast axes. */
function binary(ctx: GradContext, local: (i: 0 | 1) => string): Terms {
  const out: Terms = [];
  for (const i of [0, 1] as const) {
    if (!ctx.needs(i)) continue;
    const x = ctx.node.inputs[i]!;
    out.push([x, dense(reduceTo(ctx.g, local(i), ctx.g.shape(x)))]);
  }
  return out;
}

const mul = (ctx: GradContext, a: string, b: string) => ctx.g.op('Mul', [a, b]);

export const add: GradRule = (ctx) => binary(ctx, () => ctx.dy);

export const sub: GradRule = (ctx) => binary(ctx, (i) => (i === 0 ? ctx.dy : ctx.g.op('Neg', [ctx.dy])));

export const mulRule: GradRule = (ctx) => binary(ctx, (i) => mul(ctx, ctx.dy, ctx.node.inputs[1 - i]!));

/** y = a / b: da = dy / b, db = −dy · y / b. */
export const div: GradRule = (ctx) => {
  const [, b] = ctx.node.inputs as [string, string];
  const y = ctx.node.outputs[0]!;
  return binary(ctx, (i) =>
    i === 0 ? ctx.g.op('Div', [ctx.dy, b]) : ctx.g.op('Neg', [ctx.g.op('Div', [mul(ctx, ctx.dy, y), b])]),
  );
};

/** Rules of the form dx = dy · f'(x, y). */
function unary(local: (ctx: GradContext, x: string, y: string) => string): GradRule {
  return (ctx) => {
    if (!ctx.needs(0)) return [];
    const x = ctx.node.inputs[0]!;
    return [[x, dense(local(ctx, x, ctx.node.outputs[0]!))]];
  };
}

export const neg = unary((ctx) => ctx.g.op('Neg', [ctx.dy]));
/** y = √x: dx = dy · 0.5 / y */
export const sqrt = unary((ctx, _x, y) => ctx.g.op('Div', [mul(ctx, ctx.dy, ctx.g.scalar(0.5)), y]));
/** y = 1/x: dx = −dy · y² */
export const reciprocal = unary((ctx, _x, y) => ctx.g.op('Neg', [mul(ctx, ctx.dy, mul(ctx, y, y))]));
export const exp = unary((ctx, _x, y) => mul(ctx, ctx.dy, y));
export const log = unary((ctx, x) => ctx.g.op('Div', [ctx.dy, x]));
/** y = tanh x: dx = dy · (1 − y²) */
export const tanh = unary((ctx, _x, y) =>
  mul(ctx, ctx.dy, ctx.g.op('Sub', [ctx.g.scalar(1), mul(ctx, y, y)])),
);
/** y = σ(x): dx = dy · y · (1 − y) */
export const sigmoid = unary((ctx, _x, y) =>
  mul(ctx, ctx.dy, mul(ctx, y, ctx.g.op('Sub', [ctx.g.scalar(1), y]))),
);
/** y = erf x: dx = dy · 2/√π · e^(−x²) */
export const erf = unary((ctx, x) => {
  const { g } = ctx;
  const e = g.op('Exp', [g.op('Neg', [mul(ctx, x, x)])]);
  return mul(ctx, ctx.dy, mul(ctx, e, g.scalar(2 / Math.sqrt(Math.PI))));
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** cubic coefficient of the tanh approximation of GELU (Hendrycks & Gimpel) */
const GELU_CUBIC = 0.044715;

/**
 * GELU. tanh form: y = ½x(1 + t), t = tanh(c(x + a x³)):
 *   dy/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3a x²).
 * erf form: dy/dx = Φ(x) + x·φ(x) = ½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π).
 */
export const gelu = unary((ctx, x) => {
  const { g } = ctx;
  const x2 = mul(ctx, x, x);
  const half = g.scalar(0.5);
  const one = g.scalar(1);
  let d: string;
  if (ctx.node.attrs.approximate === 'tanh') {
    const u = mul(
      ctx,
      g.op('Add', [x, mul(ctx, mul(ctx, x, x2), g.scalar(GELU_CUBIC))]),
      g.scalar(SQRT_2_OVER_PI),
    );
    const t = g.op('Tanh', [u]);
    const left = mul(ctx, half, g.op('Add', [one, t]));
    const sech2 = g.op('Sub', [one, mul(ctx, t, t)]);
    const du = mul(ctx, g.scalar(SQRT_2_OVER_PI), g.op('Add', [one, mul(ctx, x2, g.scalar(3 * GELU_CUBIC))]));
    d = g.op('Add', [left, mul(ctx, mul(ctx, mul(ctx, half, x), sech2), du)]);
  } else {
    const cdf = mul(ctx, half, g.op('Add', [one, g.op('Erf', [mul(ctx, x, g.scalar(Math.SQRT1_2))])]));
    const pdf = mul(ctx, g.op('Exp', [mul(ctx, x2, g.scalar(-0.5))]), g.scalar(1 / Math.sqrt(2 * Math.PI)));
    d = g.op('Add', [cdf, mul(ctx, x, pdf)]);
  }
  return mul(ctx, ctx.dy, d);
});
