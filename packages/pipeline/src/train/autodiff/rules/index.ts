import type { OpType } from '../../../ir/graph';
import * as ar from './arithmetic';
import { gather, gatherElements } from './gather';
import type { GradRule } from './gradRule';
import * as lay from './layout';
import { matmul } from './matmul';
import { layerNormalization, softmax } from './normalization';
import { reduceMax, reduceMean, reduceSum } from './reduce';

/**
 * Reverse-mode rule per differentiable op. Ops absent here (Equal, Not,
 * ConstantOfShape, ScatterElements, ScatterND) either produce non-float
 * values or only appear in backward graphs.
 */
export const GRAD_RULES: Partial<Record<OpType, GradRule>> = {
  Add: ar.add,
  Sub: ar.sub,
  Mul: ar.mulRule,
  Div: ar.div,
  Neg: ar.neg,
  Sqrt: ar.sqrt,
  Reciprocal: ar.reciprocal,
  Exp: ar.exp,
  Log: ar.log,
  Tanh: ar.tanh,
  Sigmoid: ar.sigmoid,
  Gelu: ar.gelu,
  Erf: ar.erf,
  MatMul: matmul,
  Gather: gather,
  GatherElements: gatherElements,
  Softmax: softmax,
  LayerNormalization: layerNormalization,
  ReduceMean: reduceMean,
  ReduceSum: reduceSum,
  ReduceMax: reduceMax,
  Transpose: lay.transpose,
  Reshape: lay.reshapeBack,
  Unsqueeze: lay.reshapeBack,
  Concat: lay.concat,
  Slice: lay.slice,
  Identity: lay.identity,
  Cast: lay.cast,
  Expand: lay.expand,
  Pad: lay.pad,
  Where: lay.where,
};
