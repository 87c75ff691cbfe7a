import { describe, expect, it } from 'vitest';
import { GRAD_RULES, type ShapedGraph } from '../src/index';
import { type CaseInput, gradCheck } from './gradCheck';

// Every gradient rule against central finite differences through the float64
// reference executor (bound 1e-6, relative to the largest gradient of each
// input), and the same backward graph on ONNX Runtime cpu against the
// reference (float32, bound 1e-4).
const REF_TOL = 1e-6;
const ORT_TOL = 1e-4;

type Build = (g: ShapedGraph, x: string[]) => string;
interface Case {
  name: string;
  /** ops whose gradient rules this case exercises */
  covers: string[];
  inputs: CaseInput[];
  build: Build;
}

const op =
  (name: Parameters<ShapedGraph['op']>[0], attrs: Record<string, number | number[] | string> = {}): Build =>
  (g, x) =>
    g.op(name, x, attrs);
const pos: [number, number] = [0.5, 2];

const CASES: Case[] = [
  {
    name: 'Add [2,3,4] + [4]',
    covers: ['Add'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [4] }],
    build: op('Add'),
  },
  {
    name: 'Add [2,1,4] + [3,1]',
    covers: ['Add'],
    inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1] }],
    build: op('Add'),
  },
  {
    name: 'Sub [2,3] - [2,3]',
    covers: ['Sub'],
    inputs: [{ shape: [2, 3] }, { shape: [2, 3] }],
    build: op('Sub'),
  },
  {
    name: 'Sub [3,1] - [1,4]',
    covers: ['Sub'],
    inputs: [{ shape: [3, 1] }, { shape: [1, 4] }],
    build: op('Sub'),
  },
  {
    name: 'Mul [2,3,4] * [3,1]',
    covers: ['Mul'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }],
    build: op('Mul'),
  },
  {
    name: 'Mul same operand x*x',
    covers: ['Mul'],
    inputs: [{ shape: [5] }],
    build: (g, [x]) => g.op('Mul', [x!, x!]),
  },
  {
    name: 'Div [2,3] / [1,3]',
    covers: ['Div'],
    inputs: [{ shape: [2, 3] }, { shape: [1, 3], range: pos }],
    build: op('Div'),
  },
  { name: 'Neg', covers: ['Neg'], inputs: [{ shape: [2, 3] }], build: op('Neg') },
  { name: 'Sqrt', covers: ['Sqrt'], inputs: [{ shape: [2, 3], range: pos }], build: op('Sqrt') },
  {
    name: 'Reciprocal',
    covers: ['Reciprocal'],
    inputs: [{ shape: [2, 3], range: pos }],
    build: op('Reciprocal'),
  },
  { name: 'Exp', covers: ['Exp'], inputs: [{ shape: [2, 3] }], build: op('Exp') },
  { name: 'Log', covers: ['Log'], inputs: [{ shape: [2, 3], range: pos }], build: op('Log') },
  { name: 'Tanh', covers: ['Tanh'], inputs: [{ shape: [2, 3], range: [-2, 2] }], build: op('Tanh') },
  { name: 'Sigmoid', covers: ['Sigmoid'], inputs: [{ shape: [2, 3], range: [-3, 3] }], build: op('Sigmoid') },
  {
    name: 'Gelu tanh',
    covers: ['Gelu'],
    inputs: [{ shape: [3, 4], range: [-3, 3] }],
    build: op('Gelu', { approximate: 'tanh' }),
  },
  { name: 'Gelu erf', covers: ['Gelu'], inputs: [{ shape: [3, 4], range: [-3, 3] }], build: op('Gelu') },
  { name: 'Erf', covers: ['Erf'], inputs: [{ shape: [3, 4], range: [-2, 2] }], build: op('Erf') },
  {
    name: 'MatMul [3,4]x[4,5]',
    covers: ['MatMul'],
    inputs: [{ shape: [3, 4] }, { shape: [4, 5] }],
    build: op('MatMul'),
  },
  {
    name: 'MatMul linear [2,3,4]x[4,5]',
    covers: ['MatMul'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }],
    build: op('MatMul'),
  },
  {
    name: 'MatMul batched [2,3,4]x[2,4,5]',
    covers: ['MatMul'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }],
    build: op('MatMul'),
  },
  {
    name: 'MatMul broadcast [2,1,3,4]x[3,4,5]',
    covers: ['MatMul'],
    inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 5] }],
    build: op('MatMul'),
  },
  {
    name: 'MatMul [3,4]x[2,4,5] (A broadcast)',
    covers: ['MatMul'],
    inputs: [{ shape: [3, 4] }, { shape: [2, 4, 5] }],
    build: op('MatMul'),
  },
  {
    name: 'MatMul x·Wᵀ (nn.Linear, direct dW)',
    covers: ['MatMul', 'Transpose'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }],
    build: (g, [x, w]) => g.op('MatMul', [x!, g.op('Transpose', [w!], { perm: [1, 0] })]),
  },
  {
    name: 'MatMul q·kᵀ through a transposed operand (attention scores)',
    covers: ['MatMul', 'Transpose'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 5, 4] }],
    build: (g, [q, k]) => g.op('MatMul', [q!, g.op('Transpose', [k!], { perm: [0, 2, 1] })]),
  },
  {
    name: 'Gather embedding rows (repeated ids)',
    covers: ['Gather'],
    inputs: [{ shape: [5, 3] }, { shape: [2, 3], int: [1, 4, 1, 0, 1, 4] }],
    build: op('Gather'),
  },
  {
    name: 'GatherElements axis -1',
    covers: ['GatherElements'],
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 3, 1], int: [0, 3, 2, 1, 1, 3] }],
    build: op('GatherElements', { axis: -1 }),
  },
  {
    name: 'Softmax axis -1',
    covers: ['Softmax'],
    inputs: [{ shape: [2, 3, 4], range: [-2, 2] }],
    build: op('Softmax', { axis: -1 }),
  },
  {
    name: 'Softmax axis 1',
    covers: ['Softmax'],
    inputs: [{ shape: [2, 3, 4], range: [-2, 2] }],
    build: op('Softmax', { axis: 1 }),
  },
  {
    name: 'LayerNormalization with bias',
    covers: ['LayerNormalization'],
    inputs: [{ shape: [2, 3, 6], range: [-2, 2] }, { shape: [6], range: pos }, { shape: [6] }],
    build: op('LayerNormalization', { axis: -1, epsilon: 1e-5 }),
  },
  {
    name: 'LayerNormalization without bias',
    covers: ['LayerNormalization'],
    inputs: [
      { shape: [3, 5], range: [-2, 2] },
      { shape: [5], range: pos },
    ],
    build: op('LayerNormalization', { axis: 1, epsilon: 1e-3 }),
  },
  {
    name: 'ReduceMean axis -1 keepdims',
    covers: ['ReduceMean'],
    inputs: [{ shape: [2, 3, 4] }],
    build: (g, [x]) => g.op('ReduceMean', [x!, g.constInt([-1])], { keepdims: 1 }),
  },
  {
    name: 'ReduceSum axes [0,2] no keepdims',
    covers: ['ReduceSum'],
    inputs: [{ shape: [2, 3, 4] }],
    build: (g, [x]) => g.op('ReduceSum', [x!, g.constInt([0, 2])], { keepdims: 0 }),
  },
  {
    name: 'ReduceMax axis -1',
    covers: ['ReduceMax'],
    inputs: [{ shape: [2, 3, 4] }],
    build: (g, [x]) => g.op('ReduceMax', [x!, g.constInt([-1])], { keepdims: 0 }),
  },
  {
    name: 'Reshape with 0 and -1',
    covers: ['Reshape'],
    inputs: [{ shape: [2, 3, 4] }],
    build: (g, [x]) => g.op('Reshape', [x!, g.constInt([0, -1, 2])]),
  },
  {
    name: 'Transpose [2,0,1]',
    covers: ['Transpose'],
    inputs: [{ shape: [2, 3, 4] }],
    build: op('Transpose', { perm: [2, 0, 1] }),
  },
  {
    name: 'Concat 3 inputs axis 1',
    covers: ['Concat'],
    inputs: [{ shape: [2, 1, 3] }, { shape: [2, 2, 3] }, { shape: [2, 3, 3] }],
    build: op('Concat', { axis: 1 }),
  },
  {
    name: 'Slice one axis, negative bounds',
    covers: ['Slice'],
    inputs: [{ shape: [2, 6] }],
    build: (g, [x]) => g.op('Slice', [x!, g.constInt([-5]), g.constInt([-1]), g.constInt([-1])]),
  },
  {
    name: 'Slice two axes',
    covers: ['Slice'],
    inputs: [{ shape: [3, 5] }],
    build: (g, [x]) => g.op('Slice', [x!, g.constInt([1, 0]), g.constInt([3, 4]), g.constInt([0, 1])]),
  },
  {
    name: 'Slices tiling a tensor (q/k/v split) summed back by Concat',
    covers: ['Slice'],
    inputs: [{ shape: [2, 9] }],
    build: (g, [x]) => {
      const s = (a: number, b: number) =>
        g.op('Slice', [x!, g.constInt([a]), g.constInt([b]), g.constInt([1])]);
      return g.op('Add', [g.op('Mul', [s(0, 3), s(3, 6)]), g.op('Tanh', [s(6, 9)])]);
    },
  },
  {
    name: 'Unsqueeze',
    covers: ['Unsqueeze'],
    inputs: [{ shape: [2, 3] }],
    build: (g, [x]) => g.op('Unsqueeze', [x!, g.constInt([1, -1])]),
  },
  { name: 'Identity', covers: ['Identity'], inputs: [{ shape: [2, 3] }], build: op('Identity') },
  { name: 'Cast float→float', covers: ['Cast'], inputs: [{ shape: [2, 3] }], build: op('Cast', { to: 1 }) },
  {
    name: 'Expand [3,1]→[2,3,4]',
    covers: ['Expand'],
    inputs: [{ shape: [3, 1] }],
    build: (g, [x]) => g.op('Expand', [x!, g.constInt([2, 3, 4])]),
  },
  {
    name: 'Pad',
    covers: ['Pad'],
    inputs: [{ shape: [2, 3] }],
    build: (g, [x]) => g.op('Pad', [x!, g.constInt([1, 0, 0, 2])]),
  },
  {
    name: 'Where (mask from Equal on ids)',
    covers: ['Where'],
    inputs: [{ shape: [2, 3] }, { shape: [2, 3] }, { shape: [2, 3], int: [1, 0, 1, 1, 0, 0] }],
    build: (g, [a, b, c]) => g.op('Where', [g.op('Equal', [c!, g.constInt([1], [])]), a!, b!]),
  },
];

describe('gradient rules vs finite differences (float64 ref) and ONNX Runtime', () => {
  it.each(CASES)('$name', async (c) => {
    const r = await gradCheck(c.inputs, c.build);
    for (const e of r.refRelErr) expect(e).toBeLessThanOrEqual(REF_TOL);
    for (const e of r.ortRelErr) expect(e).toBeLessThanOrEqual(ORT_TOL);
  });

  it('covers every op that has a gradient rule', () => {
    const covered = new Set(CASES.flatMap((c) => c.covers));
    expect([...Object.keys(GRAD_RULES)].filter((o) => !covered.has(o))).toEqual([]);
  });
});
