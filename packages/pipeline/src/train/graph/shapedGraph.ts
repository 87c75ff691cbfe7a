import type { AttrValue, Graph, Initializer, Node, OpType, ValueType } from '../../ir/graph';
import { runOp } from '../../ref/ops';
import { size } from '../../ref/tensor';
import { type ElemType, type InputFacts, inferNode } from './inferNode';

/** Constants up to this many elements are folded and tracked (shape, axes and index vectors). */
const MAX_TRACKED_CONST = 4096;

/**
 * A graph under construction with static shapes: every value has a concrete
 * shape and element type, small constants have known values. Training graphs
 * are built for one (batch, seq), so gradient rules can read exact shapes
 * (which axes were broadcast, slice bounds) instead of emitting shape ops.
 */
export class ShapedGraph {
  readonly graph: Graph = { inputs: [], outputs: [], initializers: new Map(), nodes: [] };
  private readonly shapes = new Map<string, number[]>();
  private readonly types = new Map<string, ElemType>();
  private readonly values = new Map<string, number[]>();
  private readonly producers = new Map<string, Node>();
  private readonly consumerCount = new Map<string, number>();
  private readonly scalars = new Map<number, string>();
  private counter = 0;

  /** Declares a graph input of a static shape. */
  input(name: string, type: ValueType, shape: number[]): string {
    this.graph.inputs.push({ name, type, dims: [...shape] });
    this.define(name, shape, type);
    return name;
  }

  /** Adds a constant or weight stored with the graph (small values are tracked for folding). */
  initializer(init: Initializer): string {
    this.graph.initializers.set(init.name, init);
    const v =
      init.data.length <= MAX_TRACKED_CONST
        ? Array.from(init.data as ArrayLike<number | bigint>, Number)
        : undefined;
    this.define(init.name, init.shape, init.type, v);
    return init.name;
  }

  /** Appends an existing node (names kept), inferring its output. */
  append(node: Node): void {
    const facts = node.inputs.map((n) => (n === '' ? undefined : this.facts(n)));
    const { shape, type } = inferNode(node.op, facts as InputFacts[], node.attrs);
    let value: number[] | undefined;
    if (facts.every((f) => !f || f.value) && size(shape) <= MAX_TRACKED_CONST) {
      const ins = facts.map((f) => (f ? { shape: f.shape, data: Float64Array.from(f.value!) } : undefined));
      value = Array.from(runOp(node.op, ins, node.attrs).data);
    }
    for (const n of node.inputs)
      if (n !== '') this.consumerCount.set(n, (this.consumerCount.get(n) ?? 0) + 1);
    this.graph.nodes.push(node);
    const out = node.outputs[0]!;
    this.producers.set(out, node);
    this.define(out, shape, type, value);
  }

  /** Appends a new node and returns its (fresh) output name. */
  op(op: OpType, inputs: string[], attrs: Record<string, AttrValue> = {}, prefix?: string): string {
    const out = this.fresh(prefix ?? op.toLowerCase());
    this.append({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** An int64 constant (shape, axes, indices). */
  constInt(values: number[], shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    return this.initializer({
      name,
      type: 'int64',
      shape,
      data: BigInt64Array.from(values, (v) => BigInt(v)),
      param: false,
    });
  }

  /** A float32 constant. */
  constFloat(values: number[] | Float32Array, shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.initializer({ name, type: 'float32', shape, data, param: false });
  }

  /** A float32 scalar constant, shared per value. */
  scalar(v: number): string {
    let name = this.scalars.get(v);
    if (!name) {
      name = this.constFloat([v], []);
      this.scalars.set(v, name);
    }
    return name;
  }

  /** Exposes `value` as graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string): void {
    if (value !== name) this.append({ op: 'Identity', inputs: [value], outputs: [name], attrs: {} });
    const type = this.type(name);
    if (type === 'bool') throw new Error(`graph output ${name} is boolean`);
    this.graph.outputs.push({ name, type, dims: [...this.shape(name)] });
  }

  /** Whether `v` is defined. */
  has(v: string): boolean {
    return this.shapes.has(v);
  }
  /** Static shape of `v`. */
  shape(v: string): number[] {
    const s = this.shapes.get(v);
    if (!s) throw new Error(`unknown value ${v}`);
    return s;
  }
  /** Element type of `v`. */
  type(v: string): ElemType {
    return this.types.get(v)!;
  }
  /** Known value of a small constant (int64 values exact). */
  value(v: string): number[] | undefined {
    return this.values.get(v);
  }
  /** The node computing `v` (undefined for inputs and initializers). */
  producer(v: string): Node | undefined {
    return this.producers.get(v);
  }
  /** How many node inputs read `v` so far. */
  consumers(v: string): number {
    return this.consumerCount.get(v) ?? 0;
  }

  /** A value name not used in the graph yet. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}__t${this.counter++}`;
    while (this.shapes.has(name));
    return name;
  }

  private facts(n: string): InputFacts {
    const shape = this.shapes.get(n);
    if (!shape) throw new Error(`value ${n} is used before it is defined`);
    const f: InputFacts = { shape, type: this.types.get(n)! };
    const v = this.values.get(n);
    if (v) f.value = v;
    return f;
  }

  private define(name: string, shape: number[], type: ElemType, value?: number[]): void {
    if (this.shapes.has(name)) throw new Error(`value ${name} defined twice`);
    this.shapes.set(name, [...shape]);
    this.types.set(name, type);
    if (value) this.values.set(name, value);
  }
}
