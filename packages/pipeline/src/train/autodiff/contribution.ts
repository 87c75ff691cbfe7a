import type { ShapedGraph } from '../graph/shapedGraph';

/**
 * One term of a value's gradient. Keeping sparse forms until the gradient is
 * needed lets the sum be built cheaply: slices that tile a tensor become one
 * Concat, row updates (embedding gradients) become ScatterND-add into the
 * other terms instead of a dense zero tensor plus an Add.
 */
export type Contribution =
  | { kind: 'dense'; value: string }
  /** gradient of x[..., start:end, ...] along `axis` (`value` has the slice's shape) */
  | { kind: 'slice'; axis: number; start: number; end: number; value: string }
  /** rows scattered along axis 0: `indices` int64 [..., 1], `updates` [..., rest of shape] */
  | { kind: 'rows'; indices: string; updates: string };

/** A dense gradient term. */
export const dense = (value: string): Contribution => ({ kind: 'dense', value });

function tiles(slices: Extract<Contribution, { kind: 'slice' }>[], dim: number): boolean {
  const axis = slices[0]!.axis;
  if (slices.some((s) => s.axis !== axis)) return false;
  const sorted = [...slices].sort((a, b) => a.start - b.start);
  let at = 0;
  for (const s of sorted) {
    if (s.start !== at) return false;
    at = s.end;
  }
  return at === dim;
}

/** Sums the contributions to a value of `shape` into one gradient value. */
export function materialize(g: ShapedGraph, shape: number[], terms: Contribution[]): string {
  const denseTerms: string[] = [];
  const slices = terms.filter((t): t is Extract<Contribution, { kind: 'slice' }> => t.kind === 'slice');
  const rows = terms.filter((t): t is Extract<Contribution, { kind: 'rows' }> => t.kind === 'rows');
  for (const t of terms) if (t.kind === 'dense') denseTerms.push(t.value);
  if (slices.length > 0 && denseTerms.length === 0 && tiles(slices, shape[slices[0]!.axis]!)) {
    const sorted = [...slices].sort((a, b) => a.start - b.start);
    denseTerms.push(
      sorted.length === 1
        ? sorted[0]!.value
        : g.op(
            'Concat',
            sorted.map((s) => s.value),
            { axis: slices[0]!.axis },
          ),
    );
  } else {
    for (const s of slices) {
      const pads = new Array<number>(2 * shape.length).fill(0);
      pads[s.axis] = s.start;
      pads[shape.length + s.axis] = shape[s.axis]! - s.end;
      denseTerms.push(g.op('Pad', [s.value, g.constInt(pads)]));
    }
  }
  let sum = denseTerms[0];
  for (let i = 1; i < denseTerms.length; i++) sum = g.op('Add', [sum!, denseTerms[i]!]);
  if (rows.length > 0) {
    let base = sum ?? g.op('ConstantOfShape', [g.constInt(shape)]);
    for (const r of rows) base = g.op('ScatterND', [base, r.indices, r.updates], { reduction: 'add' });
    sum = base;
  }
  return sum ?? g.op('ConstantOfShape', [g.constInt(shape)]);
}
