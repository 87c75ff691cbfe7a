import type { Node } from '../../../ir/graph';
import type { ShapedGraph } from '../../graph/shapedGraph';
import type { Contribution } from '../contribution';

/** What a gradient rule sees: the forward node, its output gradient, and which inputs need one. */
export interface GradContext {
  g: ShapedGraph;
  node: Node;
  /** gradient of the node's (single) output, same shape as the output */
  dy: string;
  /** whether input `i` requires a gradient */
  needs(i: number): boolean;
}

/**
 * A reverse-mode rule: returns gradient terms keyed by the value they belong
 * to (usually a node input; a rule may look through a producer, e.g. MatMul
 * through a Transpose of a weight).
 */
export type GradRule = (ctx: GradContext) => Array<[string, Contribution]>;
