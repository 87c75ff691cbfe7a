import { dense } from '../contribution';
import type { GradRule } from './gradRule';

/**
 * Gather along axis 0 (embedding lookup): the gradient of the table is a
 * scatter-add of dY rows at the looked-up ids (repeated ids accumulate).
 */
export const gather: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node, dy } = ctx;
  const axis = (node.attrs.axis as number | undefined) ?? 0;
  if (axis !== 0 && axis !== -g.shape(node.inputs[0]!).length)
    throw new Error('Gather gradient supports axis 0 only');
  const ids = node.inputs[1]!;
  const indices = g.op('Unsqueeze', [ids, g.constInt([-1])]);
  return [[node.inputs[0]!, { kind: 'rows', indices, updates: dy }]];
};

/** GatherElements: scatter-add dY back to the gathered positions. */
export const gatherElements: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node, dy } = ctx;
  const data = node.inputs[0]!;
  const zeros = g.op('ConstantOfShape', [g.constInt(g.shape(data))]);
  const axis = (node.attrs.axis as number | undefined) ?? 0;
  return [[data, dense(g.op('ScatterElements', [zeros, node.inputs[1]!, dy], { axis, reduction: 'add' }))]];
};
