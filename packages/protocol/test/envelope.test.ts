import { describe, expect, it } from 'vitest';
import { encodeValue } from '../src/encodeValue';
import { decodeEnvelope, encodeEnvelope } from '../src/envelope';
import { tensor } from '../src/tensor';
import { codeOf, hex } from './codeOf';

const frame = (value: unknown) => encodeValue(value);

describe('envelope (spec §3)', () => {
  it('encodes {v, t, id, re?, body} with sorted keys', () => {
    const bytes = encodeEnvelope({ v: 1, t: 'ping', id: 1, body: { ts: 5 } });
    expect(hex(bytes)).toBe('84a4626f647981a2747305a2696401a174a470696e67a17601');
    expect(decodeEnvelope(bytes)).toEqual({ v: 1, t: 'ping', id: 1, body: { ts: 5 } });
    const reply = decodeEnvelope(encodeEnvelope({ v: 1, t: 'pong', id: 2, re: 1, body: { ts: 5 } }));
    expect(reply.re).toBe(1);
  });

  it('accepts id and re at 0 and 2^32 − 1', () => {
    for (const id of [0, 0xffff_ffff]) {
      expect(decodeEnvelope(frame({ v: 1, t: 'x', id, re: id, body: {} })).id).toBe(id);
    }
  });

  it.each([
    ['an array frame', [1, 't', 1, {}]],
    ['a tensor frame', tensor('u8', [1], new Uint8Array(1))],
    ['a missing v', { t: 'ping', id: 1, body: {} }],
    ['a string v', { v: '1', t: 'ping', id: 1, body: {} }],
    ['a float v', { v: 1.5, t: 'ping', id: 1, body: {} }],
    ['a missing t', { v: 1, id: 1, body: {} }],
    ['an empty t', { v: 1, t: '', id: 1, body: {} }],
    ['a numeric t', { v: 1, t: 5, id: 1, body: {} }],
    ['a t longer than 64 bytes', { v: 1, t: 'x'.repeat(65), id: 1, body: {} }],
    ['a missing id', { v: 1, t: 'ping', body: {} }],
    ['a negative id', { v: 1, t: 'ping', id: -1, body: {} }],
    ['an id past u32', { v: 1, t: 'ping', id: 2 ** 32, body: {} }],
    ['a float id', { v: 1, t: 'ping', id: 1.5, body: {} }],
    ['a string re', { v: 1, t: 'ping', id: 1, re: '1', body: {} }],
    ['a missing body', { v: 1, t: 'ping', id: 1 }],
    ['a nil body', { v: 1, t: 'ping', id: 1, body: null }],
    ['an array body', { v: 1, t: 'ping', id: 1, body: [] }],
    ['a bin body', { v: 1, t: 'ping', id: 1, body: new Uint8Array(2) }],
    ['a tensor body', { v: 1, t: 'ping', id: 1, body: tensor('u8', [1], new Uint8Array(1)) }],
    ['an unknown envelope field', { v: 1, t: 'ping', id: 1, body: {}, x: 1 }],
  ])('rejects %s with bad_frame', (_name, value) => {
    expect(codeOf(() => decodeEnvelope(frame(value)))).toBe('bad_frame');
  });

  it.each([0, 2, 255])('rejects v = %i with version_mismatch', (v) => {
    expect(codeOf(() => decodeEnvelope(frame({ v, t: 'ping', id: 1, body: {} })))).toBe('version_mismatch');
  });

  it('refuses to encode malformed envelopes', () => {
    expect(codeOf(() => encodeEnvelope({ v: 1, t: '', id: 1, body: {} }))).toBe('bad_frame');
    expect(codeOf(() => encodeEnvelope({ v: 1, t: 'x', id: -1, body: {} }))).toBe('bad_frame');
    expect(codeOf(() => encodeEnvelope({ v: 1, t: 'x', id: 1, body: [] as never }))).toBe('bad_frame');
  });
});
