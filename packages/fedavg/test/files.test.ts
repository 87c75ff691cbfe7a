import { createHash } from 'node:crypto';
import { encodeSafetensors, float32ToEntry } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { modelHash } from '../src/modelHash';
import { decodeTensorFile, encodeTensorFile } from '../src/tensorFile';
import { decodeUpdateFile, encodeUpdateFile } from '../src/updateFile';
import vectors from './vectors/modelHash.json';

describe('modelHash', () => {
  for (const c of vectors.cases) {
    it(`matches the independent Python encoding: ${c.name}`, () => {
      const list = c.tensors as [string, number[], number[]][];
      const tensors = new Map(list.map(([name, , values]) => [name, new Float32Array(values)]));
      const schema = new Map(list.map(([name, shape]) => [name, shape]));
      expect(modelHash(tensors, schema)).toBe(c.hash);
      // independent of Map insertion order
      const reversed = new Map([...schema].reverse());
      expect(modelHash(new Map([...tensors].reverse()), reversed)).toBe(c.hash);
    });
  }

  it('node:crypto and @noble/hashes give the same digest', () => {
    const t = new Map([
      ['b', new Float32Array(100_003).map((_, i) => Math.sin(i))],
      ['a', new Float32Array([1, 2])],
    ]);
    const s = new Map([
      ['b', [100_003]],
      ['a', [2, 1]],
    ]);
    expect(modelHash(t, s, () => createHash('sha256'))).toBe(modelHash(t, s));
  });

  it('changes with any value, name or shape', () => {
    const t = new Map([['w', new Float32Array([1, 2, 3, 4])]]);
    const h = modelHash(t, new Map([['w', [4]]]));
    expect(modelHash(t, new Map([['w', [2, 2]]]))).not.toBe(h);
    expect(modelHash(new Map([['v', t.get('w')!]]), new Map([['v', [4]]]))).not.toBe(h);
    expect(
      modelHash(new Map([['w', new Float32Array([1, 2, 3, 4.000001])]]), new Map([['w', [4]]])),
    ).not.toBe(h);
  });
});

const schema = new Map<string, number[]>([
  ['layer.weight', [2, 3]],
  ['layer.bias', [3]],
]);
const delta = new Map([
  ['layer.weight', new Float32Array([1, -2, 3.5, 0, 1e-3, -7])],
  ['layer.bias', new Float32Array([0.25, 0.5, -0.75])],
]);
const BASE = 'ab'.repeat(32);

describe('update files', () => {
  it('round-trips Δ, n_k, round and base through safetensors __metadata__', () => {
    const bytes = encodeUpdateFile({
      delta,
      shapes: schema,
      numSamples: 42,
      round: 7,
      base: BASE,
      metadata: { client: 'x' },
    });
    const u = decodeUpdateFile(bytes);
    expect(u.numSamples).toBe(42);
    expect(u.round).toBe(7);
    expect(u.base).toBe(BASE);
    expect(u.metadata).toEqual({ num_samples: '42', round: '7', base: BASE, client: 'x' });
    expect(u.shapes).toEqual(schema);
    for (const [name, x] of delta) expect(u.delta.get(name)).toEqual(x);
  });

  it('stores f16 (lossy, half the bytes) and reads it back as float32', () => {
    const f32 = encodeUpdateFile({ delta, shapes: schema, numSamples: 1, round: 0, base: BASE });
    const f16 = encodeUpdateFile({ delta, shapes: schema, numSamples: 1, round: 0, base: BASE }, 'f16');
    expect(f16.length).toBeLessThan(f32.length);
    const u = decodeUpdateFile(f16);
    u.delta.get('layer.weight')!.forEach((v, i) => {
      const x = delta.get('layer.weight')![i]!;
      expect(Math.abs(v - x)).toBeLessThanOrEqual(2 ** -11 * Math.abs(x));
    });
  });

  const file = (metadata: Record<string, string>, tensors = delta) =>
    encodeSafetensors(
      [...tensors].map(([name, x]) => [name, float32ToEntry(x, [...schema.get(name)!])] as const) as never,
      metadata,
    );
  const good = { num_samples: '3', round: '1', base: BASE };
  const table: [string, Record<string, string>, string][] = [
    ['missing num_samples', { round: '1', base: BASE }, 'INVALID_UPDATE_FILE'],
    ['missing round', { num_samples: '3', base: BASE }, 'INVALID_UPDATE_FILE'],
    ['missing base', { num_samples: '3', round: '1' }, 'INVALID_UPDATE_FILE'],
    ['num_samples 0', { ...good, num_samples: '0' }, 'INVALID_NUM_SAMPLES'],
    ['num_samples negative', { ...good, num_samples: '-4' }, 'INVALID_NUM_SAMPLES'],
    ['num_samples fractional', { ...good, num_samples: '2.5' }, 'INVALID_NUM_SAMPLES'],
    ['num_samples exponent', { ...good, num_samples: '1e3' }, 'INVALID_NUM_SAMPLES'],
    ['num_samples beyond 2^53', { ...good, num_samples: '9007199254740993' }, 'INVALID_NUM_SAMPLES'],
    ['num_samples with leading zero', { ...good, num_samples: '07' }, 'INVALID_NUM_SAMPLES'],
    ['round negative', { ...good, round: '-1' }, 'INVALID_UPDATE_FILE'],
    ['round not a number', { ...good, round: 'two' }, 'INVALID_UPDATE_FILE'],
    ['base uppercase hex', { ...good, base: BASE.toUpperCase() }, 'INVALID_UPDATE_FILE'],
    ['base too short', { ...good, base: 'abcd' }, 'INVALID_UPDATE_FILE'],
  ];
  for (const [label, metadata, code] of table) {
    it(`rejects ${label} with ${code}`, () => {
      expect(() => decodeUpdateFile(file(metadata))).toThrow(expect.objectContaining({ code }));
    });
  }

  it('rejects integer tensors with DTYPE_MISMATCH and garbage with INVALID_UPDATE_FILE', () => {
    const ints = encodeSafetensors(
      [['layer.bias', { dtype: 'i32', shape: [3], data: new Uint8Array(12) }]],
      good,
    );
    expect(() => decodeUpdateFile(ints)).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
    expect(() => decodeUpdateFile(new Uint8Array([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: 'INVALID_UPDATE_FILE' }),
    );
    const truncated = file(good).subarray(0, 60);
    expect(() => decodeUpdateFile(truncated)).toThrow(
      expect.objectContaining({ code: 'INVALID_UPDATE_FILE' }),
    );
    const f64 = new TextEncoder().encode('{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}');
    const bytes = new Uint8Array(8 + f64.length + 8);
    new DataView(bytes.buffer).setUint32(0, f64.length, true);
    bytes.set(f64, 8);
    expect(() => decodeUpdateFile(bytes)).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
  });

  it('refuses to encode an invalid update', () => {
    const nan = new Map(delta);
    nan.set('layer.bias', new Float32Array([0, Number.NaN, 0]));
    const args = { delta, shapes: schema, numSamples: 1, round: 0, base: BASE };
    expect(() => encodeUpdateFile({ ...args, delta: nan })).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
    expect(() => encodeUpdateFile({ ...args, numSamples: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_NUM_SAMPLES' }),
    );
    expect(() => encodeUpdateFile({ ...args, round: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => encodeUpdateFile({ ...args, base: 'x' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('tensor files keep metadata and shapes', () => {
    const bytes = encodeTensorFile(delta, schema, { parent: BASE });
    const f = decodeTensorFile(bytes);
    expect(f.metadata).toEqual({ parent: BASE });
    expect(f.schema).toEqual(schema);
    expect(f.dtypes.get('layer.bias')).toBe('f32');
  });
});
