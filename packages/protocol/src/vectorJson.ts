import { DTYPE_ARRAY, type DType, isDType, itemBytes } from './dtype';
import { ProtocolError } from './ProtocolError';
import { elementCount, isTensor, type Tensor } from './tensor';

/** JSON form of a wire value in spec/vectors (spec §10): bins, tensors and big integers are tagged. */
export type VectorJson =
  | null
  | boolean
  | number
  | string
  | VectorJson[]
  | { $bin: string }
  | { $tensor: { dtype: DType; shape: number[]; data: string } }
  | { $int: string }
  | { [key: string]: VectorJson };

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new ProtocolError('bad_request', 'invalid hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Converts a decoded wire value to the JSON of spec §10: `{"$bin": hex}`, `{"$tensor": {dtype, shape,
 * data: hex}}`, `{"$int": "decimal"}` for integers beyond ±(2^53 − 1); NaN and ±Infinity have no form.
 */
export function toVectorJson(value: unknown): VectorJson {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ProtocolError('bad_request', 'NaN and Infinity have no JSON form');
    return value;
  }
  if (typeof value === 'bigint') return { $int: value.toString() };
  if (value instanceof Uint8Array) return { $bin: toHex(value) };
  if (Array.isArray(value)) return value.map(toVectorJson);
  if (isTensor(value)) {
    const data = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
    return { $tensor: { dtype: value.dtype, shape: [...value.shape], data: toHex(data) } };
  }
  if (typeof value === 'object') {
    const out: Record<string, VectorJson> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toVectorJson(v);
    }
    return out;
  }
  throw new ProtocolError('bad_request', `no JSON form for a ${typeof value}`);
}

/** The inverse of {@link toVectorJson}. */
export function fromVectorJson(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(fromVectorJson);
  const o = json as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$bin === 'string') return fromHex(o.$bin);
  if (keys.length === 1 && typeof o.$int === 'string') return BigInt(o.$int);
  if (keys.length === 1 && typeof o.$tensor === 'object' && o.$tensor !== null) {
    const t = o.$tensor as { dtype: unknown; shape: number[]; data: string };
    if (!isDType(t.dtype)) throw new ProtocolError('bad_request', `unknown dtype ${String(t.dtype)}`);
    const raw = fromHex(t.data);
    const n = elementCount(t.shape);
    if (raw.length !== n * itemBytes(t.dtype)) throw new ProtocolError('bad_request', 'tensor data length');
    return {
      dtype: t.dtype,
      shape: [...t.shape],
      data: new DTYPE_ARRAY[t.dtype](raw.buffer, 0, n),
    } as Tensor;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = fromVectorJson(o[k]);
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
    else out[k] = v;
  }
  return out;
}
