import { allocateFrame } from './allocate';
import { compareKeys } from './compareKeys';
import { TENSOR_DIM_BYTES, TENSOR_EXT_TYPE, TENSOR_HEADER_BYTES } from './constants';
import { dtypeCode } from './dtype';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { ProtocolError } from './ProtocolError';
import { elementCount, type Tensor, tensorProblem } from './tensor';
import { utf8Length, writeUtf8 } from './utf8';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 2 ** 32;
/** 8 scratch bytes for floats and 64-bit integers, written big-endian through a DataView */
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);
const U64_MAX = 2n ** 64n - 1n;
const I64_MIN = -(2n ** 63n);

/** A value the codec can encode: the MessagePack data model of spec §3.1. */
export type WireValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Tensor
  | readonly WireValue[]
  | { readonly [key: string]: WireValue | undefined };

function tooLarge(what: string, details: string): ProtocolError {
  return new ProtocolError('too_large', `${what} exceeds the limit`, { details });
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly the keys dtype, shape, data and a typed-array `data` is a tensor (spec §3.1). */
function looksLikeTensor(v: Record<string, unknown>): boolean {
  return ArrayBuffer.isView(v.data) && 'dtype' in v && 'shape' in v && Object.keys(v).length === 3;
}

/** Size of a MessagePack int holding `v` (canonical: shortest form, spec §3.2). */
function intSize(v: number): number {
  if (v >= 0) return v < 0x80 ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v < TWO_32 ? 5 : 9;
  return v >= -32 ? 1 : v >= -0x80 ? 2 : v >= -0x8000 ? 3 : v >= -0x8000_0000 ? 5 : 9;
}

function lengthHeaderSize(n: number, fix: number): number {
  return n < fix ? 1 : n <= 0xffff ? 3 : 5;
}

function extHeaderSize(n: number): number {
  if (n === 1 || n === 2 || n === 4 || n === 8 || n === 16) return 2;
  return n <= 0xff ? 3 : n <= 0xffff ? 4 : 6;
}

/**
 * Canonical MessagePack encoder (spec §3.2): shortest int/length forms, float64 for non-integers,
 * map keys sorted by UTF-8 bytes, tensors as extension type 1. Two passes: measure, then write into
 * one exactly-sized buffer, so tensor bytes are copied once.
 */
class CanonicalEncoder {
  private readonly keyLists: string[][] = [];
  private readonly strLengths: number[] = [];
  private keyCursor = 0;
  private strCursor = 0;
  private out!: Uint8Array;
  private pos = 0;

  constructor(private readonly limits: Limits) {}

  encode(value: unknown): Uint8Array {
    const size = this.measure(value, 0);
    if (size > this.limits.maxFrameBytes) {
      throw tooLarge('frame', `${size} bytes > maxFrameBytes ${this.limits.maxFrameBytes}`);
    }
    this.out = allocateFrame(size);
    this.write(value);
    if (this.pos !== size) {
      // unreachable unless measure() and write() disagree; never hand out partly stale memory
      throw new ProtocolError('internal', 'encoder size mismatch', { details: `${this.pos} != ${size}` });
    }
    return this.out;
  }

  private measure(v: unknown, depth: number): number {
    switch (typeof v) {
      case 'boolean':
        return 1;
      case 'number':
        return Number.isSafeInteger(v) && !Object.is(v, -0) ? intSize(v) : 9;
      case 'bigint':
        if (v > U64_MAX || v < I64_MIN) {
          throw new ProtocolError('bad_request', 'integer out of the 64-bit range', { details: String(v) });
        }
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
          ? intSize(Number(v))
          : 9;
      case 'string': {
        const n = utf8Length(v);
        if (n > this.limits.maxStringBytes) {
          throw tooLarge('string', `${n} bytes > maxStringBytes ${this.limits.maxStringBytes}`);
        }
        this.strLengths.push(n);
        return (n < 32 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5) + n;
      }
      case 'object':
        if (v === null) return 1;
        return this.measureObject(v, depth);
      default:
        throw new ProtocolError('bad_request', `cannot encode a ${typeof v}`);
    }
  }

  private measureObject(v: object, depth: number): number {
    if (v instanceof Uint8Array) return (v.length <= 0xff ? 2 : v.length <= 0xffff ? 3 : 5) + v.length;
    if (ArrayBuffer.isView(v)) throw new ProtocolError('bad_request', 'typed arrays travel inside tensors');
    if (depth + 1 > this.limits.maxDepth) {
      throw tooLarge('nesting depth', `depth ${depth + 1} > maxDepth ${this.limits.maxDepth}`);
    }
    if (Array.isArray(v)) {
      this.checkLength(v.length);
      let size = lengthHeaderSize(v.length, 16);
      for (const item of v) {
        if (item === undefined) throw new ProtocolError('bad_request', 'cannot encode undefined in an array');
        size += this.measure(item, depth + 1);
      }
      return size;
    }
    if (!isPlainObject(v)) throw new ProtocolError('bad_request', `cannot encode a ${v.constructor.name}`);
    const record = v as Record<string, unknown>;
    if (looksLikeTensor(record)) return this.measureTensor(record);
    let keys = Object.keys(record);
    for (const k of keys) {
      if (record[k] === undefined) {
        keys = keys.filter((key) => record[key] !== undefined);
        break;
      }
    }
    if (keys.length > 1) keys.sort(compareKeys);
    this.checkLength(keys.length);
    this.keyLists.push(keys);
    let size = lengthHeaderSize(keys.length, 16);
    for (const k of keys) size += this.measure(k, depth + 1) + this.measure(record[k], depth + 1);
    return size;
  }

  private measureTensor(v: Record<string, unknown>): number {
    const problem = tensorProblem(v);
    if (problem !== undefined) throw new ProtocolError('bad_request', 'invalid tensor', { details: problem });
    const t = v as unknown as Tensor;
    const n = elementCount(t.shape);
    if (n > this.limits.maxTensorElements) {
      throw tooLarge('tensor', `${n} elements > maxTensorElements ${this.limits.maxTensorElements}`);
    }
    if (!LITTLE_ENDIAN && t.data.BYTES_PER_ELEMENT > 1) {
      throw new ProtocolError('unsupported', 'multi-byte tensors need a little-endian host');
    }
    const payload = TENSOR_HEADER_BYTES + TENSOR_DIM_BYTES * t.shape.length + t.data.byteLength;
    return extHeaderSize(payload) + payload;
  }

  private checkLength(n: number): void {
    if (n > this.limits.maxCollectionLength) {
      throw tooLarge('collection', `${n} entries > maxCollectionLength ${this.limits.maxCollectionLength}`);
    }
  }

  private write(v: unknown): void {
    switch (typeof v) {
      case 'boolean':
        this.out[this.pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'number':
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.writeInt(v);
        else {
          scratch.setFloat64(0, v);
          this.out[this.pos++] = 0xcb;
          this.copyScratch();
        }
        return;
      case 'bigint':
        if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
          this.writeInt(Number(v));
        else if (v > 0n) {
          scratch.setBigUint64(0, v);
          this.out[this.pos++] = 0xcf;
          this.copyScratch();
        } else {
          scratch.setBigInt64(0, v);
          this.out[this.pos++] = 0xd3;
          this.copyScratch();
        }
        return;
      case 'string':
        this.writeString(v);
        return;
      default:
        if (v === null) {
          this.out[this.pos++] = 0xc0;
          return;
        }
        this.writeObject(v as object);
    }
  }

  /** Appends the 8 scratch bytes. */
  private copyScratch(): void {
    this.out.set(scratchBytes, this.pos);
    this.pos += 8;
  }

  /** Appends `v` as `n` big-endian bytes (n ≤ 4). */
  private writeBE(v: number, n: number): void {
    const out = this.out;
    for (let i = n - 1; i >= 0; i--) {
      out[this.pos + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.pos += n;
  }

  private writeInt(v: number): void {
    const out = this.out;
    if (v >= 0) {
      if (v < 0x80) out[this.pos++] = v;
      else if (v <= 0xff) {
        out[this.pos++] = 0xcc;
        out[this.pos++] = v;
      } else if (v <= 0xffff) {
        out[this.pos++] = 0xcd;
        this.writeBE(v, 2);
      } else if (v < TWO_32) {
        out[this.pos++] = 0xce;
        this.writeBE(v, 4);
      } else {
        scratch.setBigUint64(0, BigInt(v));
        out[this.pos++] = 0xcf;
        this.copyScratch();
      }
    } else if (v >= -32) out[this.pos++] = v & 0xff;
    else if (v >= -0x80) {
      out[this.pos++] = 0xd0;
      out[this.pos++] = v & 0xff;
    } else if (v >= -0x8000) {
      out[this.pos++] = 0xd1;
      this.writeBE(v + 0x1_0000, 2);
    } else if (v >= -0x8000_0000) {
      out[this.pos++] = 0xd2;
      this.writeBE(v + TWO_32, 4);
    } else {
      scratch.setBigInt64(0, BigInt(v));
      out[this.pos++] = 0xd3;
      this.copyScratch();
    }
  }

  private writeLength(n: number, fixBase: number, fixLimit: number, op16: number, op32: number): void {
    if (n < fixLimit) this.out[this.pos++] = fixBase | n;
    else if (n <= 0xffff) {
      this.out[this.pos++] = op16;
      this.writeBE(n, 2);
    } else {
      this.out[this.pos++] = op32;
      this.writeBE(n, 4);
    }
  }

  private writeString(s: string): void {
    const n = this.strLengths[this.strCursor++]!;
    if (n < 32) this.out[this.pos++] = 0xa0 | n;
    else if (n <= 0xff) {
      this.out[this.pos++] = 0xd9;
      this.out[this.pos++] = n;
    } else this.writeLength(n, 0, 0, 0xda, 0xdb);
    this.pos = writeUtf8(s, this.out, this.pos);
  }

  private writeObject(v: object): void {
    if (v instanceof Uint8Array) {
      const n = v.length;
      if (n <= 0xff) {
        this.out[this.pos++] = 0xc4;
        this.out[this.pos++] = n;
      } else this.writeLength(n, 0, 0, 0xc5, 0xc6);
      this.out.set(v, this.pos);
      this.pos += n;
      return;
    }
    if (Array.isArray(v)) {
      this.writeLength(v.length, 0x90, 16, 0xdc, 0xdd);
      for (const item of v) this.write(item);
      return;
    }
    const record = v as Record<string, unknown>;
    if (looksLikeTensor(record)) {
      this.writeTensor(record as unknown as Tensor);
      return;
    }
    const keys = this.keyLists[this.keyCursor++]!;
    this.writeLength(keys.length, 0x80, 16, 0xde, 0xdf);
    for (const k of keys) {
      this.writeString(k);
      this.write(record[k]);
    }
  }

  private writeTensor(t: Tensor): void {
    const ndim = t.shape.length;
    const n = TENSOR_HEADER_BYTES + TENSOR_DIM_BYTES * ndim + t.data.byteLength;
    const out = this.out;
    if (n === 1 || n === 2 || n === 4 || n === 8 || n === 16) {
      out[this.pos++] = n === 1 ? 0xd4 : n === 2 ? 0xd5 : n === 4 ? 0xd6 : n === 8 ? 0xd7 : 0xd8;
    } else if (n <= 0xff) {
      out[this.pos++] = 0xc7;
      out[this.pos++] = n;
    } else this.writeLength(n, 0, 0, 0xc8, 0xc9);
    out[this.pos++] = TENSOR_EXT_TYPE;
    out[this.pos++] = dtypeCode(t.dtype);
    out[this.pos++] = ndim;
    for (const d of t.shape) {
      // u32 little-endian (spec §4)
      out[this.pos++] = d & 0xff;
      out[this.pos++] = (d >>> 8) & 0xff;
      out[this.pos++] = (d >>> 16) & 0xff;
      out[this.pos++] = (d >>> 24) & 0xff;
    }
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), this.pos);
    this.pos += t.data.byteLength;
  }
}

/**
 * Encodes `value` canonically (spec §3.2) and enforces `limits` on the output.
 *
 * @throws ProtocolError `too_large` past a limit, `bad_request` for values outside the data model
 *   (functions, class instances, lone surrogates, integers beyond 64 bits, malformed tensors).
 */
export function encodeValue(value: unknown, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  return new CanonicalEncoder(limits).encode(value);
}
