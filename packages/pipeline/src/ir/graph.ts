/**
 * The graph IR: a small typed graph whose ops are a closed subset of ONNX.
 * One IR has three consumers: the ONNX emitter, the TypeScript reference
 * executor and reverse-mode differentiation.
 */

export type ValueType = 'float32' | 'int64' | 'uint8';

/** A symbolic dimension is a name (e.g. "batch"); a fixed one is a number. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: ValueType;
  dims: Dim[];
}

export type AttrValue = number | number[] | string;

export interface Node {
  op: OpType;
  /** operator domain: '' (ONNX) or 'com.microsoft' (ONNX Runtime contrib ops) */
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

/** A parameter or constant stored with the graph. Values are row-major. */
export interface Initializer {
  name: string;
  type: ValueType;
  shape: number[];
  data: Float32Array | BigInt64Array | Uint8Array;
  /** true for trainable model weights (HF tensor names), false for constants */
  param: boolean;
}

export interface Graph {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Initializer>;
  nodes: Node[];
}

/**
 * The closed op set. Semantics are ONNX opset 20 (default domain):
 * attribute and input conventions follow the ONNX operator docs.
 */
export const OP_TYPES = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Sqrt',
  'Reciprocal',
  'Exp',
  'Log',
  'Tanh',
  'Sigmoid',
  'Gelu',
  'MatMul',
  'Gather',
  'Softmax',
  'LayerNormalization',
  'ReduceMean',
  'ReduceSum',
  'Transpose',
  'Reshape',
  'Concat',
  'Slice',
  'Unsqueeze',
  'Identity',
  // Added for training graphs (loss, masking, gradient rules).
  'Erf',
  'Equal',
  'Not',
  'Where',
  'Cast',
  'Expand',
  'ConstantOfShape',
  'Pad',
  'ReduceMax',
  'GatherElements',
  'ScatterElements',
  'ScatterND',
  // com.microsoft contrib: y = x · dequant(B)ᵀ with blockwise-quantised B [N, K] (inference only)
  'MatMulNBits',
  // dynamic shapes, for self-contained exported graphs (inference only)
  'Shape',
  'Range',
  'Relu',
] as const;
export type OpType = (typeof OP_TYPES)[number];

/** Builds a graph with unique value names. */
export class GraphBuilder {
  readonly graph: Graph = { inputs: [], outputs: [], initializers: new Map(), nodes: [] };
  private counter = 0;

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}__${this.counter++}`;
  }

  input(name: string, type: ValueType, dims: Dim[]): string {
    this.graph.inputs.push({ name, type, dims });
    return name;
  }

  output(value: string, name: string, type: ValueType, dims: Dim[]): void {
    if (value !== name)
      this.graph.nodes.push({ op: 'Identity', inputs: [value], outputs: [name], attrs: {} });
    this.graph.outputs.push({ name, type, dims });
  }

  /** A trainable weight, named by its HF tensor name. */
  param(name: string, shape: number[], data: Float32Array): string {
    this.graph.initializers.set(name, { name, type: 'float32', shape, data, param: true });
    return name;
  }

  constFloat(values: number[] | Float32Array, shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.graph.initializers.set(name, { name, type: 'float32', shape, data, param: false });
    return name;
  }

  constInt(values: number[], shape: number[] = [values.length]): string {
    const name = this.fresh('const');
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.graph.initializers.set(name, { name, type: 'int64', shape, data, param: false });
    return name;
  }

  op(op: OpType, inputs: string[], attrs: Record<string, AttrValue> = {}, prefix?: string): string {
    const out = this.fresh(prefix ?? op.toLowerCase());
    const node: Node = { op, inputs, outputs: [out], attrs };
    if (op === 'MatMulNBits') node.domain = 'com.microsoft';
    this.graph.nodes.push(node);
    return out;
  }

  /** A uint8 constant (quantised weights). `name` is kept so weights stay traceable. */
  constBytes(name: string, data: Uint8Array, shape: number[]): string {
    this.graph.initializers.set(name, { name, type: 'uint8', shape, data, param: false });
    return name;
  }

  // Convenience wrappers keep family files readable.
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  matmul(a: string, b: string): string {
    return this.op('MatMul', [a, b]);
  }
  reshape(x: string, shape: number[]): string {
    return this.op('Reshape', [x, this.constInt(shape)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.op('Transpose', [x], { perm });
  }
  /** x[..., start:end] along `axis`. */
  slice(x: string, axis: number, start: number, end: number): string {
    return this.op('Slice', [x, this.constInt([start]), this.constInt([end]), this.constInt([axis])]);
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.op('Unsqueeze', [x, this.constInt(axes)]);
  }
  /** y = x·W (+ b), W stored [in, out]. */
  linear(x: string, w: string, b?: string): string {
    const y = this.matmul(x, w);
    return b ? this.add(y, b) : y;
  }
}
