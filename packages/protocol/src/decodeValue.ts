import { allocateAligned } from './allocate';
import { MAX_TENSOR_RANK, TENSOR_DIM_BYTES, TENSOR_EXT_TYPE, TENSOR_HEADER_BYTES } from './constants';
import { DTYPE_ARRAY, type DType, dtypeOfCode, itemBytes } from './dtype';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { ProtocolError } from './ProtocolError';
import type { Tensor } from './tensor';
import { readUtf8 } from './utf8';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** 8 scratch bytes: floats and 64-bit integers are copied here and read big-endian */
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function badFrame(message: string, details: string): ProtocolError {
  return new ProtocolError('bad_frame', message, { details });
}

function tooLarge(what: string, details: string): ProtocolError {
  return new ProtocolError('too_large', `${what} exceeds the limit`, { details });
}

/**
 * MessagePack decoder with limits checked against every declared size before it is used (spec §5):
 * a header claiming more entries or bytes than the limit allows (`too_large`) or than the frame still
 * holds (`bad_frame`) is rejected before anything is allocated. Bins and aligned tensor data are views
 * into the input.
 */
class LimitedDecoder {
  private pos = 0;
  /** end of the last view handed out: bytes below it must not move */
  private viewFloor = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: Limits,
    private readonly inPlace: boolean,
  ) {}

  decode(): unknown {
    let value: unknown;
    try {
      value = this.read(0);
    } catch (err) {
      // the decoder recurses once per level: a caller-raised maxDepth can exhaust the JS
      // stack before the depth check fires; that is the same verdict as the limit
      if (err instanceof RangeError) {
        throw tooLarge(
          'nesting depth',
          `the frame nests deeper than this decoder's stack allows (maxDepth ${this.limits.maxDepth})`,
        );
      }
      throw err;
    }
    if (this.pos !== this.bytes.length) {
      throw badFrame(
        'trailing bytes after the value',
        `${this.bytes.length - this.pos} extra at ${this.pos}`,
      );
    }
    return value;
  }

  /** Fails unless `n` more bytes exist. */
  private need(n: number): void {
    if (this.bytes.length - this.pos < n) {
      throw badFrame(
        'truncated frame',
        `need ${n} bytes at ${this.pos}, have ${this.bytes.length - this.pos}`,
      );
    }
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private u16(): number {
    this.need(2);
    const b = this.bytes;
    const v = (b[this.pos]! << 8) | b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    const v = b[p]! * 0x100_0000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
    this.pos += 4;
    return v;
  }

  /** Copies the next `n` bytes into the scratch view (right-aligned in 8 bytes, big-endian). */
  private toScratch(n: number): DataView {
    this.need(n);
    scratchBytes.set(this.bytes.subarray(this.pos, this.pos + n), 8 - n);
    this.pos += n;
    return scratch;
  }

  private read(depth: number): unknown {
    const b = this.u8();
    if (b < 0x80) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b < 0x90) return this.readMap(b - 0x80, depth);
    if (b < 0xa0) return this.readArray(b - 0x90, depth);
    if (b < 0xc0) return this.readString(b - 0xa0);
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.readBin(this.u8());
      case 0xc5:
        return this.readBin(this.u16());
      case 0xc6:
        return this.readBin(this.u32());
      case 0xc7:
        return this.readExt(this.u8());
      case 0xc8:
        return this.readExt(this.u16());
      case 0xc9:
        return this.readExt(this.u32());
      case 0xca:
        return this.toScratch(4).getFloat32(4);
      case 0xcb:
        return this.toScratch(8).getFloat64(0);
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf: {
        const v = this.toScratch(8).getBigUint64(0);
        return v <= MAX_SAFE ? Number(v) : v;
      }
      case 0xd0:
        return (this.u8() << 24) >> 24;
      case 0xd1:
        return (this.u16() << 16) >> 16;
      case 0xd2:
        return this.u32() | 0;
      case 0xd3: {
        const v = this.toScratch(8).getBigInt64(0);
        return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
      }
      case 0xd4:
        return this.readExt(1);
      case 0xd5:
        return this.readExt(2);
      case 0xd6:
        return this.readExt(4);
      case 0xd7:
        return this.readExt(8);
      case 0xd8:
        return this.readExt(16);
      case 0xd9:
        return this.readString(this.u8());
      case 0xda:
        return this.readString(this.u16());
      case 0xdb:
        return this.readString(this.u32());
      case 0xdc:
        return this.readArray(this.u16(), depth);
      case 0xdd:
        return this.readArray(this.u32(), depth);
      case 0xde:
        return this.readMap(this.u16(), depth);
      case 0xdf:
        return this.readMap(this.u32(), depth);
      default:
        throw badFrame('invalid MessagePack type byte', `0x${b.toString(16)} at ${this.pos - 1}`);
    }
  }

  private readString(n: number): string {
    if (n > this.limits.maxStringBytes) {
      throw tooLarge('string', `${n} bytes > maxStringBytes ${this.limits.maxStringBytes}`);
    }
    this.need(n);
    const s = readUtf8(this.bytes, this.pos, n);
    this.pos += n;
    return s;
  }

  private readBin(n: number): Uint8Array {
    this.need(n);
    const v = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + this.pos, n);
    this.pos += n;
    this.viewFloor = this.pos;
    return v;
  }

  /** Checks depth and length limits and that `n` entries of at least `minEntryBytes` can still fit. */
  private enterCollection(n: number, depth: number, minEntryBytes: number): void {
    if (depth + 1 > this.limits.maxDepth) {
      throw tooLarge('nesting depth', `depth ${depth + 1} > maxDepth ${this.limits.maxDepth}`);
    }
    if (n > this.limits.maxCollectionLength) {
      throw tooLarge('collection', `${n} entries > maxCollectionLength ${this.limits.maxCollectionLength}`);
    }
    const left = this.bytes.length - this.pos;
    if (n * minEntryBytes > left) {
      throw badFrame('truncated frame', `${n} entries declared, only ${left} bytes left at ${this.pos}`);
    }
  }

  private readArray(n: number, depth: number): unknown[] {
    this.enterCollection(n, depth, 1);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.read(depth + 1);
    return out;
  }

  private readMap(n: number, depth: number): Record<string, unknown> {
    this.enterCollection(n, depth, 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const b = this.u8();
      let key: string;
      if (b >= 0xa0 && b < 0xc0) key = this.readString(b - 0xa0);
      else if (b === 0xd9) key = this.readString(this.u8());
      else if (b === 0xda) key = this.readString(this.u16());
      else if (b === 0xdb) key = this.readString(this.u32());
      else throw badFrame('map key is not a string', `type byte 0x${b.toString(16)} at ${at}`);
      if (Object.hasOwn(out, key)) throw badFrame('duplicate map key', `${JSON.stringify(key)} at ${at}`);
      const value = this.read(depth + 1);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true });
      else out[key] = value;
    }
    if (n === 3 && Object.hasOwn(out, 'dtype') && Object.hasOwn(out, 'shape') && Object.hasOwn(out, 'data')) {
      throw badFrame('map has the reserved tensor keys', 'tensors travel as extension type 1');
    }
    return out;
  }

  private readExt(n: number): Tensor {
    this.need(1 + n);
    const type = (this.bytes[this.pos]! << 24) >> 24;
    if (type !== TENSOR_EXT_TYPE) throw badFrame('unknown extension type', `type ${type} at ${this.pos}`);
    const start = this.pos + 1;
    this.pos = start + n;
    return this.readTensor(start, n);
  }

  /** Parses a tensor payload of `n` bytes at `start` (spec §4). */
  private readTensor(start: number, n: number): Tensor {
    if (n < TENSOR_HEADER_BYTES) throw badFrame('tensor payload too short', `${n} bytes at ${start}`);
    const code = this.bytes[start]!;
    const dtype = dtypeOfCode(code);
    if (dtype === undefined) throw badFrame('unknown tensor dtype', `code ${code} at ${start}`);
    const ndim = this.bytes[start + 1]!;
    if (ndim > MAX_TENSOR_RANK) throw badFrame('tensor rank above 8', `ndim ${ndim} at ${start + 1}`);
    const header = TENSOR_HEADER_BYTES + TENSOR_DIM_BYTES * ndim;
    if (n < header) throw badFrame('tensor payload shorter than its dims', `${n} < ${header} bytes`);
    const shape = new Array<number>(ndim);
    let count = 1;
    const b = this.bytes;
    for (let i = 0; i < ndim; i++) {
      const at = start + TENSOR_HEADER_BYTES + TENSOR_DIM_BYTES * i; // u32 little-endian
      const d = b[at]! + b[at + 1]! * 0x100 + b[at + 2]! * 0x1_0000 + b[at + 3]! * 0x100_0000;
      shape[i] = d;
      count *= d; // exact while ≤ 2^53; compared with the limit below before any use
    }
    if (count > this.limits.maxTensorElements) {
      throw tooLarge('tensor', `${count} elements > maxTensorElements ${this.limits.maxTensorElements}`);
    }
    const size = itemBytes(dtype);
    if (n !== header + count * size) {
      throw badFrame(
        'tensor payload length does not match its shape',
        `${n} != ${header} + ${count} × ${size}`,
      );
    }
    return { dtype, shape, data: this.tensorData(dtype, start + header, count) } as Tensor;
  }

  /**
   * A typed array over the elements: a view when aligned; when not, with `inPlace` the bytes are moved
   * down (≤ 7 bytes, over header bytes already parsed) to an aligned offset inside the frame, else
   * copied into a new aligned buffer.
   */
  private tensorData(dtype: DType, at: number, count: number): Tensor['data'] {
    const Ctor = DTYPE_ARRAY[dtype];
    const size = itemBytes(dtype);
    const nbytes = count * size;
    if (dtype === 'bool') {
      for (let i = 0; i < count; i++) {
        if (this.bytes[at + i]! > 1) throw badFrame('bool tensor element is not 0 or 1', `byte at ${at + i}`);
      }
    }
    if (size > 1 && !LITTLE_ENDIAN) {
      throw new ProtocolError('unsupported', 'multi-byte tensors need a little-endian host');
    }
    const shift = (this.bytes.byteOffset + at) % size;
    if (shift === 0) {
      this.viewFloor = at + nbytes;
      return new Ctor(this.bytes.buffer, this.bytes.byteOffset + at, count);
    }
    if (this.inPlace && at - shift >= this.viewFloor) {
      this.bytes.copyWithin(at - shift, at, at + nbytes);
      this.viewFloor = at - shift + nbytes;
      return new Ctor(this.bytes.buffer, this.bytes.byteOffset + at - shift, count);
    }
    const copy = allocateAligned(nbytes);
    copy.set(this.bytes.subarray(at, at + nbytes));
    return new Ctor(copy.buffer, copy.byteOffset, count);
  }
}

/** Options of {@link decodeValue}. */
export interface DecodeOptions {
  /**
   * The frame is consumed by this call: misaligned tensor data may be moved inside `bytes` (a few
   * bytes down, over headers already parsed) instead of copied out. The Peer decodes this way.
   */
  inPlace?: boolean;
}

/**
 * Decodes one MessagePack value that fills `bytes` exactly.
 *
 * @throws ProtocolError `too_large` past a limit (frame size first, before any parsing), `bad_frame`
 *   for malformed input (truncation, trailing bytes, invalid UTF-8, non-string or duplicate keys,
 *   unknown extension types, bad tensor payloads).
 */
export function decodeValue(
  bytes: Uint8Array,
  limits: Limits = DEFAULT_LIMITS,
  options: DecodeOptions = {},
): unknown {
  if (bytes.length > limits.maxFrameBytes) {
    throw tooLarge('frame', `${bytes.length} bytes > maxFrameBytes ${limits.maxFrameBytes}`);
  }
  return new LimitedDecoder(bytes, limits, options.inPlace ?? false).decode();
}
