import { PipelineError } from '../errors';
import type { Graph, Node } from '../ir/graph';
import { differentiate } from './autodiff/differentiate';
import { GRAD_PREFIX, TRAINING_PAST_LENGTH } from './constants';
import { nextTokenCrossEntropy } from './crossEntropy';
import { ShapedGraph } from './graph/shapedGraph';

/** What a training graph computes. */
export type TrainingGraphMode =
  /** forward + loss (last stage) + backward: outputs loss, grad.<name>, grad_in */
  | 'train'
  /** forward only with weights as inputs: `hidden_out` (non-last stages) or `logits` */
  | 'forward'
  /** forward + loss, no backward (evaluation) */
  | 'loss';

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions {
  /** sequences per batch (static) */
  batch: number;
  /** tokens per sequence (static) */
  seq: number;
  /** default `train` */
  mode?: TrainingGraphMode;
  /**
   * How d loss / d logits is built: the closed-form softmax − onehot rule
   * (default, fewer vocab-wide ops) or reverse-mode through the loss ops.
   */
  lossGradient?: 'fused' | 'autodiff';
}

/** A static-shape training graph derived from a stage graph. */
export interface TrainingGraph {
  graph: Graph;
  mode: TrainingGraphMode;
  /** the stage takes token ids (stage 0) */
  first: boolean;
  /** the stage emits logits (last stage): it takes `labels` and outputs `loss` */
  last: boolean;
  batch: number;
  seq: number;
  /**
   * trainable weights of the stage (`grad.<name>` has the same shape); each is
   * a graph input named by its HF tensor name unless the graph never reads it
   * (e.g. a last bias, whose gradient is just a sum of `grad_out`)
   */
  params: { name: string; shape: number[] }[];
}

/**
 * Turns a forward stage graph (from `buildStageGraph`) into a training graph
 * for one (batch, seq) with no KV cache. Weights become graph inputs so one
 * compiled session serves every optimizer step.
 *
 * Inputs: `input_ids` (first stage) or `hidden_in`, `position_ids` (when the
 * stage uses them), `attn_bias` [B,1,S,S], `labels` [B,S] int64 (last stage,
 * HF convention, see {@link nextTokenCrossEntropy}) or `grad_out` [B,S,D]
 * (d loss / d hidden_out, from the next stage), and each parameter.
 * Outputs: `loss` (last stage), `grad_in` (not first stage) and
 * `grad.<name>` per parameter.
 */
export function buildTrainingGraph(forward: Graph, opts: TrainingGraphOptions): TrainingGraph {
  const { batch: B, seq: S } = opts;
  const mode = opts.mode ?? 'train';
  if (!(Number.isInteger(B) && B > 0 && Number.isInteger(S) && S > 0)) {
    throw new PipelineError(
      'bad_input',
      `Training graph needs a positive integer batch and seq, got ${B} x ${S}`,
    );
  }
  const first = forward.inputs.some((i) => i.name === 'input_ids');
  const last = forward.outputs.some((o) => o.name === 'logits');
  if (!first && !forward.inputs.some((i) => i.name === 'hidden_in')) {
    throw new PipelineError('bad_input', 'Not a stage graph: it has neither input_ids nor hidden_in');
  }
  const dims: Record<string, number> = {
    batch: B,
    seq: S,
    past: TRAINING_PAST_LENGTH,
    total: TRAINING_PAST_LENGTH + S,
  };
  const g = new ShapedGraph();
  for (const input of forward.inputs) {
    const shape = input.dims.map((d) => {
      const v = typeof d === 'number' ? d : dims[d];
      if (v === undefined)
        throw new PipelineError('bad_input', `Stage input ${input.name} has an unknown dim "${d}"`);
      return v;
    });
    g.input(input.name, input.type, shape);
  }
  const params: { name: string; shape: number[] }[] = [];
  for (const init of forward.initializers.values()) {
    if (init.param) {
      g.input(init.name, 'float32', init.shape);
      params.push({ name: init.name, shape: [...init.shape] });
    } else g.initializer(init);
  }
  const nodes: Node[] = [];
  for (const node of forward.nodes) {
    const n = dropEmptyConcatInputs(g, node);
    g.append(n);
    nodes.push(n);
  }
  const outValue = last ? 'logits' : 'hidden_out';
  if (mode === 'forward') {
    g.output(outValue, outValue);
    return finish(g, { mode, first, last, batch: B, seq: S, params });
  }
  const seeds = new Map<string, string>();
  let stopGradient = new Set<string>();
  const lossNodesStart = g.graph.nodes.length;
  if (last) {
    const labels = g.input('labels', 'int64', [B, S]);
    const ce = nextTokenCrossEntropy(g, outValue, labels);
    g.output(ce.loss, 'loss');
    if (mode === 'loss') return finish(g, { mode, first, last, batch: B, seq: S, params });
    if ((opts.lossGradient ?? 'fused') === 'fused') seeds.set(outValue, ce.fusedGradient());
    else {
      nodes.push(...g.graph.nodes.slice(lossNodesStart));
      stopGradient = ce.stopGradient;
      seeds.set(ce.loss, g.scalar(1));
    }
  } else {
    if (mode === 'loss') throw new PipelineError('bad_input', 'Only the last stage computes a loss');
    seeds.set(outValue, g.input('grad_out', 'float32', g.shape(outValue)));
  }
  const wrt = [...params.map((p) => p.name), ...(first ? [] : ['hidden_in'])];
  const grads = differentiate(g, nodes, { wrt, seeds, stopGradient });
  if (!first) g.output(grads.get('hidden_in')!, 'grad_in');
  for (const p of params) g.output(grads.get(p.name)!, GRAD_PREFIX + p.name);
  return finish(g, { mode, first, last, batch: B, seq: S, params });
}

/** Concat inputs with zero extent along the axis (the empty past K/V) are dropped; one survivor becomes Identity. */
function dropEmptyConcatInputs(g: ShapedGraph, node: Node): Node {
  if (node.op !== 'Concat') return node;
  const axis = (node.attrs.axis as number | undefined) ?? 0;
  const kept = node.inputs.filter((i) => {
    const s = g.shape(i);
    return s[axis < 0 ? axis + s.length : axis] !== 0;
  });
  if (kept.length === node.inputs.length || kept.length === 0) return node;
  return kept.length === 1
    ? { op: 'Identity', inputs: kept, outputs: node.outputs, attrs: {} }
    : { ...node, inputs: kept };
}

/** Removes nodes that no output depends on, and then unused inputs and initializers. */
function finish(g: ShapedGraph, meta: Omit<TrainingGraph, 'graph'>): TrainingGraph {
  const graph = g.graph;
  const live = new Set(graph.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    if (!live.has(n.outputs[0]!)) continue;
    kept.push(n);
    for (const v of n.inputs) if (v !== '') live.add(v);
  }
  kept.reverse();
  const inputs = graph.inputs.filter((i) => live.has(i.name));
  const initializers = new Map([...graph.initializers].filter(([name]) => live.has(name)));
  return { ...meta, graph: { inputs, outputs: graph.outputs, initializers, nodes: kept } };
}
