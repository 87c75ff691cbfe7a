import type { Graph } from '../ir/graph';
import { runOp } from './ops';
import type { RefTensor } from './tensor';

const converted = new WeakMap<Graph, Map<string, RefTensor>>();

/** Initializers widened to float64 once per graph. */
function initializerTensors(graph: Graph): Map<string, RefTensor> {
  let m = converted.get(graph);
  if (!m) {
    m = new Map();
    for (const init of graph.initializers.values()) {
      m.set(init.name, {
        shape: [...init.shape],
        data: Float64Array.from(init.data as ArrayLike<number>, Number),
      });
    }
    converted.set(graph, m);
  }
  return m;
}

/**
 * Interprets a graph in float64. Slow and readable: the definition of the math
 * that every ONNX emission is checked against.
 */
export function executeGraph(graph: Graph, feeds: Record<string, RefTensor>): Record<string, RefTensor> {
  const env = new Map<string, RefTensor>(initializerTensors(graph));
  for (const input of graph.inputs) {
    const t = feeds[input.name];
    if (!t) throw new Error(`missing graph input ${input.name}`);
    env.set(input.name, t);
  }
  for (const node of graph.nodes) {
    const ins = node.inputs.map((n) => (n === '' ? undefined : env.get(n)));
    ins.forEach((t, i) => {
      if (!t && node.inputs[i] !== '') throw new Error(`${node.op}: input ${node.inputs[i]} not computed`);
    });
    env.set(node.outputs[0]!, runOp(node.op, ins, node.attrs));
  }
  const out: Record<string, RefTensor> = {};
  for (const o of graph.outputs) out[o.name] = env.get(o.name)!;
  return out;
}
