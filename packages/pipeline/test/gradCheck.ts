import type { HostTensor } from '../src/backends/backend';
import { differentiate, executeGraph, ShapedGraph, seededRandom } from '../src/index';
import { createNodeBackend } from '../src/node';
import type { RefTensor } from '../src/ref/tensor';

/** A test input: float (random unless given) or int64 (values required). */
export interface CaseInput {
  shape: number[];
  int?: number[];
  /** random floats in [lo, hi) (default [-1, 1)) */
  range?: [number, number];
}

export interface GradCheckResult {
  /** per float input: ‖autodiff − finite difference‖∞ / ‖finite difference‖∞ (float64, ref executor) */
  refRelErr: number[];
  /** per float input: ‖ONNX Runtime cpu − ref‖∞ / ‖ref‖∞ */
  ortRelErr: number[];
  /** ops the backward part of the graph used */
  backwardOps: Set<string>;
  /** ops of the forward part */
  forwardOps: Set<string>;
}

const H = 1e-5;

/**
 * Builds y = f(inputs), a scalar loss L = Σ y·R with a fixed random R, and its
 * gradients via {@link differentiate}; compares them with central finite
 * differences of L through the float64 reference executor, and with the same
 * graph run on ONNX Runtime.
 */
export async function gradCheck(
  inputs: CaseInput[],
  f: (g: ShapedGraph, xs: string[]) => string,
  seed = 1,
): Promise<GradCheckResult> {
  const rand = seededRandom(seed);
  const g = new ShapedGraph();
  const names = inputs.map((inp, i) => g.input(`x${i}`, inp.int ? 'int64' : 'float32', inp.shape));
  const y = f(g, names);
  const forwardNodes = [...g.graph.nodes];
  const ys = g.shape(y);
  const n = ys.reduce((a, b) => a * b, 1);
  const r = g.constFloat(
    Float32Array.from({ length: n }, () => rand() * 2 - 1),
    ys,
  );
  const loss = g.op('ReduceSum', [g.op('Mul', [y, r]), g.constInt(ys.map((_, i) => i))], { keepdims: 0 });
  forwardNodes.push(...g.graph.nodes.slice(forwardNodes.length));
  const floatNames = names.filter((_, i) => !inputs[i]!.int);
  const grads = differentiate(g, forwardNodes, { wrt: floatNames, seeds: new Map([[loss, g.scalar(1)]]) });
  const backwardOps = new Set(g.graph.nodes.slice(forwardNodes.length).map((nd) => nd.op));
  g.output(loss, 'loss');
  for (const x of floatNames) g.output(grads.get(x)!, `grad_${x}`);
  const feeds: Record<string, RefTensor> = {};
  inputs.forEach((inp, i) => {
    const size = inp.shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = inp.range ?? [-1, 1];
    // float32-representable values so the ONNX run sees the same inputs
    const data = inp.int
      ? Float64Array.from(inp.int)
      : Float64Array.from({ length: size }, () => Math.fround(lo + (hi - lo) * rand()));
    feeds[names[i]!] = { shape: inp.shape, data };
  });
  const out = executeGraph(g.graph, feeds);
  const lossAt = () => executeGraph(g.graph, feeds)['loss']!.data[0]!;
  const refRelErr: number[] = [];
  for (const x of floatNames) {
    const d = feeds[x]!.data;
    const analytic = out[`grad_${x}`]!.data;
    let err = 0;
    let scale = 0;
    for (let i = 0; i < d.length; i++) {
      const x0 = d[i]!;
      d[i] = x0 + H;
      const lp = lossAt();
      d[i] = x0 - H;
      const lm = lossAt();
      d[i] = x0;
      const fd = (lp - lm) / (2 * H);
      err = Math.max(err, Math.abs(fd - analytic[i]!));
      scale = Math.max(scale, Math.abs(fd));
    }
    refRelErr.push(err / Math.max(scale, 1e-300));
  }
  const compiled = await createNodeBackend('cpu').compile(g.graph);
  const ortFeeds: Record<string, HostTensor> = {};
  inputs.forEach((inp, i) => {
    const t = feeds[names[i]!]!;
    ortFeeds[names[i]!] = inp.int
      ? { type: 'int64', shape: t.shape, data: BigInt64Array.from(t.data, (v) => BigInt(v)) }
      : { type: 'float32', shape: t.shape, data: Float32Array.from(t.data) };
  });
  const ort = await compiled.run(ortFeeds);
  await compiled.dispose();
  const ortRelErr = floatNames.map((x) => {
    const a = out[`grad_${x}`]!.data;
    const b = ort[`grad_${x}`]!.data as Float32Array;
    let err = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      err = Math.max(err, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(a[i]!));
    }
    return err / Math.max(scale, 1e-300);
  });
  return { refRelErr, ortRelErr, backwardOps, forwardOps: new Set(forwardNodes.map((nd) => nd.op)) };
}
