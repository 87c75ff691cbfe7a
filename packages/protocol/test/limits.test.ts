import { describe, expect, it } from 'vitest';
import { decodeValue } from '../src/decodeValue';
import { encodeValue } from '../src/encodeValue';
import { DEFAULT_LIMITS, type Limits, resolveLimits } from '../src/limits';
import { tensor } from '../src/tensor';
import { codeOf, unhex } from './codeOf';

const withLimit = (partial: Partial<Limits>) => resolveLimits(partial);

/** `depth` nested one-element arrays around 0. */
function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('limits (spec §5): at the limit passes, past it fails with too_large', () => {
  it('has the defaults of the spec', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxFrameBytes: 64 * 1024 * 1024,
      maxTensorElements: 64 * 1024 * 1024,
      maxCollectionLength: 65_536,
      maxDepth: 32,
      maxStringBytes: 1024 * 1024,
    });
  });

  it('max frame bytes', () => {
    const value = new Uint8Array(100); // 102 bytes encoded
    expect(encodeValue(value, withLimit({ maxFrameBytes: 102 })).length).toBe(102);
    expect(codeOf(() => encodeValue(value, withLimit({ maxFrameBytes: 101 })))).toBe('too_large');
    const frame = encodeValue(value);
    expect(codeOf(() => decodeValue(frame, withLimit({ maxFrameBytes: 102 })))).toBe('no error');
    expect(codeOf(() => decodeValue(frame, withLimit({ maxFrameBytes: 101 })))).toBe('too_large');
  });

  it('checks the frame size before parsing anything', () => {
    const garbage = new Uint8Array(11).fill(0xc1); // invalid MessagePack
    expect(codeOf(() => decodeValue(garbage, withLimit({ maxFrameBytes: 10 })))).toBe('too_large');
    expect(codeOf(() => decodeValue(garbage, withLimit({ maxFrameBytes: 11 })))).toBe('bad_frame');
  });

  it('max tensor elements', () => {
    const limits = withLimit({ maxTensorElements: 6 });
    const ok = tensor('u8', [2, 3], new Uint8Array(6));
    const over = tensor('u8', [7], new Uint8Array(7));
    expect(codeOf(() => encodeValue(ok, limits))).toBe('no error');
    expect(codeOf(() => encodeValue(over, limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue(ok), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue(over), limits))).toBe('too_large');
  });

  it('rejects huge declared tensor dims before looking at the data', () => {
    // f32 [0xffffffff, 0xffffffff] with 4 bytes of data: 2^64 elements declared
    expect(codeOf(() => decodeValue(unhex('c70e 01 00 02 ffffffff ffffffff 00000000')))).toBe('too_large');
  });

  it('max collection length (arrays and maps)', () => {
    const limits = withLimit({ maxCollectionLength: 3 });
    expect(codeOf(() => encodeValue([1, 2, 3], limits))).toBe('no error');
    expect(codeOf(() => encodeValue([1, 2, 3, 4], limits))).toBe('too_large');
    expect(codeOf(() => encodeValue({ a: 1, b: 2, c: 3, d: 4 }, limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue([1, 2, 3]), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue([1, 2, 3, 4]), limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue({ a: 1, b: 2, c: 3 }), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue({ a: 1, b: 2, c: 3, d: 4 }), limits))).toBe('too_large');
  });

  it('rejects huge declared lengths without allocating them', () => {
    // array32 / map32 / str32 / bin32 declaring 2^32 − 1 entries or bytes, in a few bytes
    expect(codeOf(() => decodeValue(unhex('ddffffffff00')))).toBe('too_large');
    expect(codeOf(() => decodeValue(unhex('dfffffffff00')))).toBe('too_large');
    expect(codeOf(() => decodeValue(unhex('dbffffffff00')))).toBe('too_large');
    // with the limits lifted, the bytes-left check still refuses before any allocation (no RangeError)
    const lifted = withLimit({ maxCollectionLength: 0xffff_ffff, maxStringBytes: 0xffff_ffff });
    expect(codeOf(() => decodeValue(unhex('ddffffffff00'), lifted))).toBe('bad_frame');
    expect(codeOf(() => decodeValue(unhex('dfffffffff00'), lifted))).toBe('bad_frame');
    expect(codeOf(() => decodeValue(unhex('dbffffffff00'), lifted))).toBe('bad_frame');
    expect(codeOf(() => decodeValue(unhex('c6ffffffff00'), lifted))).toBe('bad_frame');
    expect(codeOf(() => decodeValue(unhex('c9ffffffff0100'), lifted))).toBe('bad_frame');
  });

  it('max depth', () => {
    const limits = withLimit({ maxDepth: 4 });
    expect(codeOf(() => encodeValue(nested(4), limits))).toBe('no error');
    expect(codeOf(() => encodeValue(nested(5), limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue(nested(4)), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue(nested(5)), limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue({ a: { b: { c: { d: 1 } } } }), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue({ a: { b: { c: { d: {} } } } }), limits))).toBe('too_large');
  });

  it('stops a depth bomb at the limit (a million nested arrays)', () => {
    const bomb = new Uint8Array(1_000_000).fill(0x91);
    expect(codeOf(() => decodeValue(bomb))).toBe('too_large');
  });

  it('refuses to encode a cyclic value (depth)', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(codeOf(() => encodeValue(cyclic))).toBe('too_large');
  });

  it('max string bytes counts UTF-8 bytes, not characters', () => {
    const limits = withLimit({ maxStringBytes: 5 });
    expect(codeOf(() => encodeValue('ab€', limits))).toBe('no error'); // 5 bytes
    expect(codeOf(() => encodeValue('abc€', limits))).toBe('too_large'); // 6 bytes
    expect(codeOf(() => encodeValue({ abcdef: 1 }, limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue('ab€'), limits))).toBe('no error');
    expect(codeOf(() => decodeValue(encodeValue('abc€'), limits))).toBe('too_large');
    expect(codeOf(() => decodeValue(encodeValue({ abcdef: 1 }), limits))).toBe('too_large');
  });

  it('refuses nonsense limits', () => {
    expect(codeOf(() => resolveLimits({ maxDepth: 0 }))).toBe('bad_request');
    expect(codeOf(() => resolveLimits({ maxFrameBytes: 1.5 }))).toBe('bad_request');
    expect(codeOf(() => resolveLimits({ maxStringBytes: Number.NaN }))).toBe('bad_request');
  });
});
