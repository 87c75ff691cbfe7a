import { MAX_UINT64 } from './constants';
import { LedgerError } from './errors';

/**
 * The canonical MessagePack subset the ledger signs and hashes (spec §3): nil, unsigned
 * integers, UTF-8 strings, binary and arrays, each in its shortest form. Anything else, or
 * any longer-than-necessary form, is rejected by {@link MsgpackReader}; so
 * `encode(decode(bytes))` equals `bytes` for every accepted input.
 */

const utf8Encoder = new TextEncoder();

/** UTF-8 byte length of a string without encoding it; -1 when it holds a lone surrogate (not encodable). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      n += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Appends canonical MessagePack values to a growable buffer. */
export class MsgpackWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(initialBytes);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 16);
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Big-endian 16-bit value (space already ensured). */
  private be16(v: number): void {
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v & 0xff;
  }

  /** Big-endian 32-bit value (space already ensured). */
  private be32(v: number): void {
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }

  /** Raw bytes, not a MessagePack value (used for domain prefixes). */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  nil(): this {
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
    return this;
  }

  /** Unsigned integer in its shortest form; `value` must be in [0, 2^64 − 1]. */
  uint(value: bigint | number): this {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new LedgerError('ENCODING_MALFORMED', 'Integer field is not a non-negative safe integer.', {
          details: String(value),
        });
      }
      if (value <= 0xffffffff) return this.smallUint(value);
      return this.uint64(BigInt(value));
    }
    if (value < 0n || value > MAX_UINT64) {
      throw new LedgerError('ENCODING_MALFORMED', 'Integer field is outside [0, 2^64 - 1].', {
        details: value.toString(),
      });
    }
    if (value <= 0xffffffffn) return this.smallUint(Number(value));
    return this.uint64(value);
  }

  private smallUint(v: number): this {
    this.ensure(5);
    if (v < 0x80) {
      this.buf[this.pos++] = v;
    } else if (v <= 0xff) {
      this.buf[this.pos++] = 0xcc;
      this.buf[this.pos++] = v;
    } else if (v <= 0xffff) {
      this.buf[this.pos++] = 0xcd;
      this.be16(v);
    } else {
      this.buf[this.pos++] = 0xce;
      this.be32(v);
    }
    return this;
  }

  private uint64(v: bigint): this {
    this.ensure(9);
    this.buf[this.pos++] = 0xcf;
    this.be32(Number(v >> 32n));
    this.be32(Number(v & 0xffffffffn));
    return this;
  }

  /** UTF-8 string with the shortest length header. */
  str(value: string): this {
    let ascii = value.length < 256;
    for (let i = 0; ascii && i < value.length; i++) ascii = value.charCodeAt(i) < 0x80;
    if (!ascii) {
      const bytes = utf8Encoder.encode(value);
      return this.strHeader(bytes.length).raw(bytes);
    }
    // ASCII fast path: one byte per UTF-16 unit, no encoder call
    const n = value.length;
    this.strHeader(n);
    this.ensure(n);
    for (let i = 0; i < n; i++) this.buf[this.pos++] = value.charCodeAt(i);
    return this;
  }

  private strHeader(n: number): this {
    this.ensure(5);
    if (n < 32) {
      this.buf[this.pos++] = 0xa0 | n;
    } else if (n <= 0xff) {
      this.buf[this.pos++] = 0xd9;
      this.buf[this.pos++] = n;
    } else if (n <= 0xffff) {
      this.buf[this.pos++] = 0xda;
      this.be16(n);
    } else {
      this.buf[this.pos++] = 0xdb;
      this.be32(n);
    }
    return this;
  }

  /** Binary with the shortest length header. */
  bin(bytes: Uint8Array): this {
    const n = bytes.length;
    this.ensure(n + 5);
    if (n <= 0xff) {
      this.buf[this.pos++] = 0xc4;
      this.buf[this.pos++] = n;
    } else if (n <= 0xffff) {
      this.buf[this.pos++] = 0xc5;
      this.be16(n);
    } else {
      this.buf[this.pos++] = 0xc6;
      this.be32(n);
    }
    return this.raw(bytes);
  }

  /** Array header for `length` elements; the caller then writes them. */
  array(length: number): this {
    this.ensure(5);
    if (length < 16) {
      this.buf[this.pos++] = 0x90 | length;
    } else if (length <= 0xffff) {
      this.buf[this.pos++] = 0xdc;
      this.be16(length);
    } else {
      this.buf[this.pos++] = 0xdd;
      this.be32(length);
    }
    return this;
  }

  /** Bytes written so far, copied into an exactly sized array. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Kind of the next value, as {@link MsgpackReader.peek} reports it. */
export type MsgpackKind = 'nil' | 'uint' | 'str' | 'bin' | 'array' | 'other';

/**
 * Reads canonical MessagePack from a byte range. Every read checks bounds before
 * allocating and rejects non-shortest forms with `ENCODING_NON_CANONICAL`.
 */
export class MsgpackReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  /** Big-endian unsigned 16-bit value at `at` (bounds already checked). */
  private be16(at: number): number {
    return (this.bytes[at]! << 8) | this.bytes[at + 1]!;
  }

  /** Big-endian unsigned 32-bit value at `at` (bounds already checked). */
  private be32(at: number): number {
    const b = this.bytes;
    return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
  }

  /** Current offset into the byte array. */
  get offset(): number {
    return this.pos;
  }

  /** True when every byte up to `end` was consumed. */
  get done(): boolean {
    return this.pos === this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) {
      throw new LedgerError('ENCODING_TRUNCATED', 'Encoding ends early.', {
        details: `needed ${n} more byte(s) at offset ${this.pos}`,
      });
    }
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private nonCanonical(what: string): never {
    throw new LedgerError('ENCODING_NON_CANONICAL', `Non-canonical ${what}.`, {
      details: `at offset ${this.pos}`,
    });
  }

  private unexpected(want: string, tag: number): never {
    throw new LedgerError('ENCODING_MALFORMED', `Expected ${want}.`, {
      details: `found type byte 0x${tag.toString(16).padStart(2, '0')} at offset ${this.pos - 1}`,
    });
  }

  /** Kind of the next value without consuming it. */
  peek(): MsgpackKind {
    this.need(1);
    const t = this.bytes[this.pos]!;
    if (t === 0xc0) return 'nil';
    if (t < 0x80 || (t >= 0xcc && t <= 0xcf)) return 'uint';
    if ((t & 0xe0) === 0xa0 || (t >= 0xd9 && t <= 0xdb)) return 'str';
    if (t >= 0xc4 && t <= 0xc6) return 'bin';
    if ((t & 0xf0) === 0x90 || t === 0xdc || t === 0xdd) return 'array';
    return 'other';
  }

  nil(): null {
    const t = this.byte();
    if (t !== 0xc0) this.unexpected('nil', t);
    return null;
  }

  /** Unsigned integer of any width, shortest form only. */
  uint(): bigint {
    const t = this.byte();
    if (t < 0x80) return BigInt(t);
    switch (t) {
      case 0xcc: {
        this.need(1);
        const v = this.bytes[this.pos++]!;
        if (v < 0x80) this.nonCanonical('integer');
        return BigInt(v);
      }
      case 0xcd: {
        this.need(2);
        const v = this.be16(this.pos);
        this.pos += 2;
        if (v <= 0xff) this.nonCanonical('integer');
        return BigInt(v);
      }
      case 0xce: {
        this.need(4);
        const v = this.be32(this.pos);
        this.pos += 4;
        if (v <= 0xffff) this.nonCanonical('integer');
        return BigInt(v);
      }
      case 0xcf: {
        this.need(8);
        const v = (BigInt(this.be32(this.pos)) << 32n) | BigInt(this.be32(this.pos + 4));
        this.pos += 8;
        if (v <= 0xffffffffn) this.nonCanonical('integer');
        return v;
      }
      default:
        return this.unexpected('an unsigned integer', t);
    }
  }

  /** Unsigned integer that must also be a safe JS number (≤ 2^53 − 1). */
  safeUint(): number {
    const v = this.uint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new LedgerError('ENCODING_MALFORMED', 'Integer exceeds 2^53 - 1.', { details: v.toString() });
    }
    return Number(v);
  }

  private lengthOf(t: number, kind: 'str' | 'bin' | 'array'): number {
    let n: number;
    let min: number;
    if (kind === 'str' && (t & 0xe0) === 0xa0) return t & 0x1f;
    if (kind === 'array' && (t & 0xf0) === 0x90) return t & 0x0f;
    const width = t === 0xd9 || t === 0xc4 ? 1 : t === 0xda || t === 0xc5 || t === 0xdc ? 2 : 4; // bytes of length
    this.need(width);
    if (width === 1) n = this.bytes[this.pos]!;
    else if (width === 2) n = this.be16(this.pos);
    else n = this.be32(this.pos);
    this.pos += width;
    // smallest length that needs this header
    if (kind === 'str') min = width === 1 ? 32 : width === 2 ? 0x100 : 0x10000;
    else if (kind === 'bin') min = width === 1 ? 0 : width === 2 ? 0x100 : 0x10000;
    else min = width === 2 ? 16 : 0x10000;
    if (n < min) this.nonCanonical(`${kind} length`);
    return n;
  }

  /** UTF-8 string of at most `maxBytes` bytes (checked before decoding). */
  str(maxBytes: number): string {
    const t = this.byte();
    if (!((t & 0xe0) === 0xa0 || (t >= 0xd9 && t <= 0xdb))) this.unexpected('a string', t);
    const n = this.lengthOf(t, 'str');
    if (n > maxBytes) {
      throw new LedgerError('ENCODING_OVERSIZED', 'String is too long.', {
        details: `${n} bytes, limit ${maxBytes}`,
      });
    }
    this.need(n);
    if (n === 0) return '';
    const start = this.pos;
    this.pos += n;
    let ascii = true;
    for (let i = start; i < start + n; i++) {
      if (this.bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii)
      return String.fromCharCode.apply(null, this.bytes.subarray(start, start + n) as unknown as number[]);
    try {
      return utf8Decoder.decode(this.bytes.subarray(start, start + n));
    } catch (cause) {
      throw new LedgerError('ENCODING_MALFORMED', 'String is not valid UTF-8.', { cause });
    }
  }

  /** Binary of exactly `length` bytes (a view into the input, not a copy). */
  binExact(length: number): Uint8Array {
    const t = this.byte();
    if (!(t >= 0xc4 && t <= 0xc6)) this.unexpected('binary', t);
    const n = this.lengthOf(t, 'bin');
    if (n !== length) {
      throw new LedgerError('ENCODING_MALFORMED', 'Binary field has the wrong length.', {
        details: `${n} bytes, expected ${length}`,
      });
    }
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Binary of at most `maxBytes` bytes (a view into the input, not a copy). */
  bin(maxBytes: number): Uint8Array {
    const t = this.byte();
    if (!(t >= 0xc4 && t <= 0xc6)) this.unexpected('binary', t);
    const n = this.lengthOf(t, 'bin');
    if (n > maxBytes) {
      throw new LedgerError('ENCODING_OVERSIZED', 'Binary field is too long.', {
        details: `${n} bytes, limit ${maxBytes}`,
      });
    }
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Array header; returns the element count, which must be at most `maxLength`. */
  array(maxLength: number): number {
    const t = this.byte();
    if (!((t & 0xf0) === 0x90 || t === 0xdc || t === 0xdd)) this.unexpected('an array', t);
    const n = this.lengthOf(t, 'array');
    if (n > maxLength) {
      throw new LedgerError('ENCODING_OVERSIZED', 'Array has too many elements.', {
        details: `${n} elements, limit ${maxLength}`,
      });
    }
    return n;
  }

  /** Array header that must announce exactly `length` elements. */
  arrayExact(length: number): void {
    const n = this.array(0xffffffff);
    if (n !== length) {
      throw new LedgerError('ENCODING_MALFORMED', 'Array has the wrong number of elements.', {
        details: `${n} elements, expected ${length}`,
      });
    }
  }

  /** Throws unless every byte was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw new LedgerError('ENCODING_MALFORMED', 'Trailing bytes after the value.', {
        details: `${this.end - this.pos} byte(s) left at offset ${this.pos}`,
      });
    }
  }
}
