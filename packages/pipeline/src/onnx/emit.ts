import './protobuf';
import onnxProto from 'onnx-proto';
import { ONNX_IR_VERSION, OPSET_VERSION } from '../constants';
import type { AttrValue, Dim, Graph, Initializer, ValueType } from '../ir/graph';

const { onnx } = onnxProto;

/** Weights above this size go to external data instead of the protobuf. */
const EXTERNAL_MIN_BYTES = 1024;
/** Attributes carried as FLOAT (every other numeric attribute is INT/INTS). */
const FLOAT_ATTRS = new Set(['epsilon', 'alpha', 'beta']);

export interface ExternalDataFile {
  path: string;
  data: Uint8Array;
}

/** A serialised ONNX model plus the weight blobs it references as external data. */
export interface EmittedModel {
  model: Uint8Array;
  externalData: ExternalDataFile[];
}

const ELEM_TYPES: Record<ValueType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  uint8: onnx.TensorProto.DataType.UINT8,
};
const elemType = (t: ValueType): number => ELEM_TYPES[t];

function valueInfo(name: string, type: ValueType, dims: Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemType(type),
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (FLOAT_ATTRS.has(name)) return { name, type: A.FLOAT, f: v };
  return { name, type: A.INT, i: v };
}

function bytesOf(init: Initializer): Uint8Array {
  return new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
}

/**
 * Emits an ONNX ModelProto (opset {@link OPSET_VERSION}) for a graph. Large
 * weights are referenced as external data so the protobuf stays small and the
 * weight bytes are handed to ONNX Runtime without a copy.
 */
export function emitOnnx(graph: Graph, opts: { name?: string; inlineWeights?: boolean } = {}): EmittedModel {
  const name = opts.name ?? 'ailo-stage';
  const externalMin = opts.inlineWeights ? Number.POSITIVE_INFINITY : EXTERNAL_MIN_BYTES;
  const externalData: ExternalDataFile[] = [];
  const initializer = [...graph.initializers.values()].map((init) => {
    const bytes = bytesOf(init);
    const base = { name: init.name, dims: init.shape, dataType: elemType(init.type) };
    if (bytes.byteLength < externalMin) return { ...base, rawData: bytes };
    const path = `w${externalData.length}.bin`;
    externalData.push({ path, data: bytes });
    return {
      ...base,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: path },
        { key: 'offset', value: '0' },
        { key: 'length', value: String(bytes.byteLength) },
      ],
    };
  });
  const model = onnx.ModelProto.encode({
    irVersion: ONNX_IR_VERSION,
    producerName: 'ailo',
    opsetImport: [
      { domain: '', version: OPSET_VERSION },
      ...(graph.nodes.some((n) => n.domain === 'com.microsoft')
        ? [{ domain: 'com.microsoft', version: 1 }]
        : []),
    ],
    graph: {
      name,
      input: graph.inputs.map((i) => valueInfo(i.name, i.type, i.dims)),
      output: graph.outputs.map((o) => valueInfo(o.name, o.type, o.dims)),
      initializer,
      node: graph.nodes.map((n, i) => ({
        name: `${n.op}_${i}`,
        opType: n.op,
        ...(n.domain ? { domain: n.domain } : {}),
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
      })),
    },
  }).finish();
  return { model, externalData };
}
