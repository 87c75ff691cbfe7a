import { decode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgpackReader, MsgpackWriter } from '../src/canonicalMsgpack';
import { MAX_UINT64 } from '../src/index';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => Number.parseInt(b, 16)));

describe('canonical MessagePack', () => {
  it('writes every integer in its shortest form, as @msgpack/msgpack reads it', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '00'],
      [127n, '7f'],
      [128n, 'cc80'],
      [255n, 'ccff'],
      [256n, 'cd0100'],
      [65535n, 'cdffff'],
      [65536n, 'ce00010000'],
      [4294967295n, 'ceffffffff'],
      [4294967296n, 'cf0000000100000000'],
      [MAX_UINT64, 'cfffffffffffffffff'],
    ];
    for (const [v, h] of cases) {
      const bytes = new MsgpackWriter().uint(v).finish();
      expect(Buffer.from(bytes).toString('hex')).toBe(h);
      expect(new MsgpackReader(bytes).uint()).toBe(v);
      expect(BigInt(decode(bytes, { useBigInt64: true }) as number | bigint)).toBe(v);
    }
  });

  it.each([
    ['cc7f', 'uint8 below 128'],
    ['cd00ff', 'uint16 below 256'],
    ['ce0000ffff', 'uint32 below 65536'],
    ['cf00000000ffffffff', 'uint64 below 2^32'],
  ])('rejects non-canonical integer %s (%s)', (h) => {
    expect(() => new MsgpackReader(hex(h)).uint()).toThrowError(
      expect.objectContaining({ code: 'ENCODING_NON_CANONICAL' }),
    );
  });

  it.each([
    ['d90161', 'str8 for a 1-byte string'],
    ['da000161', 'str16 for a 1-byte string'],
  ])('rejects non-canonical string header %s (%s)', (h) => {
    expect(() => new MsgpackReader(hex(h)).str(100)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_NON_CANONICAL' }),
    );
  });

  it('rejects negative integers, floats and maps where an integer is expected', () => {
    for (const h of ['ff', 'd0ff', 'cb3ff0000000000000', '80']) {
      expect(() => new MsgpackReader(hex(h)).uint()).toThrowError(
        expect.objectContaining({ code: 'ENCODING_MALFORMED' }),
      );
    }
  });

  it('checks lengths before reading, at and past each limit', () => {
    const str = new MsgpackWriter().str('abcd').finish();
    expect(new MsgpackReader(str).str(4)).toBe('abcd');
    expect(() => new MsgpackReader(str).str(3)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_OVERSIZED' }),
    );
    const arr = new MsgpackWriter().array(3).nil().nil().nil().finish();
    expect(new MsgpackReader(arr).array(3)).toBe(3);
    expect(() => new MsgpackReader(arr).array(2)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_OVERSIZED' }),
    );
    // a header announcing 4 GiB of string in a 5-byte input fails without allocating
    expect(() => new MsgpackReader(hex('dbffffffff')).str(2 ** 32)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_TRUNCATED' }),
    );
    expect(() => new MsgpackReader(hex('cd01')).uint()).toThrowError(
      expect.objectContaining({ code: 'ENCODING_TRUNCATED' }),
    );
  });

  it('rejects invalid UTF-8', () => {
    expect(() => new MsgpackReader(hex('a2c328')).str(10)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_MALFORMED' }),
    );
  });

  it('round-trips arrays of strings, binaries and integers identically to @msgpack/msgpack', () => {
    const item = fc.oneof(
      fc.bigInt({ min: 0n, max: MAX_UINT64 }),
      fc.string({ maxLength: 300 }).filter((s) => s.isWellFormed()),
      fc.uint8Array({ maxLength: 300 }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), (items) => {
        const w = new MsgpackWriter(8).array(items.length);
        for (const it of items) {
          if (it === null) w.nil();
          else if (typeof it === 'bigint') w.uint(it);
          else if (typeof it === 'string') w.str(it);
          else w.bin(it);
        }
        const bytes = w.finish();
        const theirs = decode(bytes, { useBigInt64: true }) as unknown[];
        const r = new MsgpackReader(bytes);
        expect(r.array(100)).toBe(items.length);
        items.forEach((it, i) => {
          if (it === null) expect(r.nil()).toBeNull();
          else if (typeof it === 'bigint') {
            expect(r.uint()).toBe(it);
            expect(BigInt(theirs[i] as number)).toBe(it);
          } else if (typeof it === 'string') {
            expect(r.str(2000)).toBe(it);
            expect(theirs[i]).toBe(it);
          } else {
            expect(r.bin(2000)).toEqual(it);
            expect(new Uint8Array(theirs[i] as Uint8Array)).toEqual(it);
          }
        });
        r.expectEnd();
      }),
    );
  });
});
