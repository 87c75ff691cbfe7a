import { type ModelConfig, modelTensors } from '@ailo/virtual-tensor';
import { DEFAULT_PREFILL_CHUNK } from '../constants';
import { PipelineError } from '../errors';
import type { LayerSpan } from '../families/config';

/** A node offering memory and speed to a pipeline. */
export interface PlanNode {
  id: string;
  /** memory it can give the model (weights + KV cache + activations), bytes */
  memoryBytes: number;
  /** throughput relative to a reference node (1 = reference); higher is faster */
  relativeSpeed: number;
}

export interface PartitionOptions {
  /** bytes per weight element: 4 f32, 2 f16/bf16, ~1.06 int8 (with block scales) */
  weightBytes?: number;
  /** tokens of context each session may reach (default: the model's max) */
  contextLength?: number;
  /** concurrent sequences the KV cache must hold (default 1) */
  batch?: number;
  /** each span held by this many nodes, for failover (default 1) */
  redundancy?: number;
  /** prompt tokens per prefill forward (default {@link DEFAULT_PREFILL_CHUNK}); bounds attention scores */
  prefillChunk?: number;
}

export interface PlannedStage {
  span: LayerSpan;
  /** the nodes holding this span (more than one with redundancy) */
  nodeIds: string[];
  weightBytes: number;
  kvCacheBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** weight bytes read per decode step / slowest holder's speed: the stage's relative step time */
  cost: number;
}

export interface Partition {
  stages: PlannedStage[];
  /** index into `stages` of the slowest stage */
  bottleneck: number;
  unusedNodeIds: string[];
}

const F32 = 4;

/**
 * Assigns contiguous layer spans to nodes so that every span fits its node's
 * memory (weights + KV cache + peak activations) and the slowest stage is as
 * fast as possible. Batch-1 decoding is bound by memory bandwidth, so a
 * stage's cost is the weight bytes it reads per step divided by its speed.
 *
 * Exact for the node order it uses (fastest first, then most memory):
 * dynamic programming over (node, layer) in O(nodes · layers²). Nodes may stay
 * unused. With `redundancy` r, consecutive groups of r nodes hold the same
 * span and a group counts as its weakest member.
 *
 * @throws PipelineError `no_fit` explaining the shortfall when no assignment fits.
 */
export function partitionLayers(
  config: ModelConfig,
  nodes: PlanNode[],
  opts: PartitionOptions = {},
): Partition {
  const r = opts.redundancy ?? 1;
  if (nodes.length === 0) throw new PipelineError('no_fit', 'No nodes to plan for');
  if (!Number.isInteger(r) || r < 1 || r > nodes.length) {
    throw new PipelineError('no_fit', `Redundancy ${r} needs at least ${r} nodes, have ${nodes.length}`);
  }
  const L = config.numLayers;
  const fp = footprintModel(config, opts);
  const stageBytes = fp.stage;
  const { activations, kvPerLayer, layerBytes } = fp;
  const ctx = opts.contextLength ?? config.maxPositions;
  const batch = opts.batch ?? 1;
  const sorted = [...nodes].sort(
    (a, b) => b.relativeSpeed - a.relativeSpeed || b.memoryBytes - a.memoryBytes,
  );
  const groups: PlanNode[][] = [];
  for (let i = 0; i + r <= sorted.length; i += r) groups.push(sorted.slice(i, i + r));
  const G = groups.length;
  const cap = groups.map((g) => Math.min(...g.map((n) => n.memoryBytes)));
  const speed = groups.map((g) => Math.min(...g.map((n) => n.relativeSpeed)));

  // best[g][l]: minimal bottleneck covering layers [0, l) with the first g groups; -1 = infeasible
  const best: number[][] = Array.from({ length: G + 1 }, () =>
    new Array<number>(L + 1).fill(Number.POSITIVE_INFINITY),
  );
  const from: number[][] = Array.from({ length: G + 1 }, () => new Array<number>(L + 1).fill(-1));
  best[0]![0] = 0;
  for (let g = 1; g <= G; g++) {
    for (let l = 0; l <= L; l++) {
      // group g-1 unused
      if (best[g - 1]![l]! < best[g]![l]!) {
        best[g]![l] = best[g - 1]![l]!;
        from[g]![l] = l;
      }
      for (let k = l - 1; k >= 0; k--) {
        const sb = stageBytes(k, l);
        if (sb.total > cap[g - 1]!) break; // spans only grow as k decreases
        const cost = Math.max(best[g - 1]![k]!, sb.weights / speed[g - 1]!);
        if (cost < best[g]![l]!) {
          best[g]![l] = cost;
          from[g]![l] = k;
        }
      }
    }
  }
  if (!Number.isFinite(best[G]![L]!)) {
    const total = stageBytes(0, L);
    const capSum = cap.reduce((a, b) => a + b, 0);
    const maxLayer = Math.max(...layerBytes) + kvPerLayer + activations;
    throw new PipelineError('no_fit', 'The nodes cannot hold this model.', {
      details:
        `Needs ${gib(total.total)} in all (weights ${gib(total.weights)}, KV cache ${gib(total.kv)} at context ${ctx} × batch ${batch}); ` +
        `${G} node group(s) offer ${gib(capSum)}${r > 1 ? ` (redundancy ${r})` : ''}; the largest single layer needs ${gib(maxLayer)} ` +
        `and the largest node offers ${gib(Math.max(...cap))}. Add nodes or memory, use --dtype f16/int8, or shorten the context.`,
    });
  }
  const stages: PlannedStage[] = [];
  const used = new Set<string>();
  let l = L;
  for (let g = G; g > 0; g--) {
    const k = from[g]![l]!;
    if (k !== l) {
      const sb = stageBytes(k, l);
      const ids = groups[g - 1]!.map((n) => n.id);
      for (const id of ids) used.add(id);
      stages.unshift({
        span: { start: k, end: l },
        nodeIds: ids,
        weightBytes: sb.weights,
        kvCacheBytes: sb.kv,
        activationBytes: activations,
        totalBytes: sb.total,
        cost: sb.weights / speed[g - 1]!,
      });
    }
    l = k;
  }
  let bottleneck = 0;
  stages.forEach((s, i) => {
    if (s.cost > stages[bottleneck]!.cost) bottleneck = i;
  });
  return { stages, bottleneck, unusedNodeIds: nodes.map((n) => n.id).filter((id) => !used.has(id)) };
}

/** Memory model of a stage: bytes of weights, KV cache and peak activations for layers [a, b). */
export interface StageFootprint {
  weights: number;
  kv: number;
  total: number;
}

/**
 * The cost model the planner uses. Embeddings count on the first stage, the
 * final norm and head on the last (a tied head reads the embedding matrix
 * there too). Activations: the peak transient of one block in a
 * prefill forward of `prefillChunk` tokens against the full context
 * (hidden, q/k/v and MLP rows plus attention scores and probabilities).
 */
export function footprintModel(config: ModelConfig, opts: PartitionOptions = {}) {
  const wb = opts.weightBytes ?? F32;
  const ctx = opts.contextLength ?? config.maxPositions;
  const batch = opts.batch ?? 1;
  const L = config.numLayers;
  const layerParams = new Array<number>(L).fill(0);
  let embedParams = 0;
  let headParams = 0;
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.group === 'layer') layerParams[t.layer!]! += n;
    else if (t.group === 'embed') embedParams += n;
    else headParams += n;
  }
  if (config.tieWordEmbeddings) headParams += config.vocabSize * config.hiddenSize;
  const kvPerLayer = 2 * batch * ctx * config.numKvHeads * config.headDim * F32;
  const chunk = Math.min(opts.prefillChunk ?? DEFAULT_PREFILL_CHUNK, ctx);
  const activations =
    F32 * batch * chunk * (4 * config.hiddenSize + config.intermediateSize) +
    2 * F32 * batch * config.numHeads * chunk * ctx;
  const prefix = [0];
  for (let i = 0; i < L; i++) prefix.push(prefix[i]! + layerParams[i]! * wb);
  const stage = (a: number, b: number): StageFootprint => {
    const weights =
      prefix[b]! - prefix[a]! + (a === 0 ? embedParams * wb : 0) + (b === L ? headParams * wb : 0);
    return { weights, kv: (b - a) * kvPerLayer, total: weights + (b - a) * kvPerLayer + activations };
  };
  return { stage, kvPerLayer, activations, layerBytes: layerParams.map((p) => p * wb) };
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
