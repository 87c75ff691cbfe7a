import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeSafetensors,
  f16BitsToNumber,
  f32BitsToF16Bits,
  float32ToEntry,
  parseSafetensors,
  type TensorEntry,
  toFloat32,
  VirtualTensorError,
} from '../src/index';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const fixture = (name: string) => new Uint8Array(readFileSync(`${FIX}/${name}`));

/** Builds a raw safetensors file from a header object and a data section. */
function raw(header: unknown, data: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, declared ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VirtualTensorError);
    return (e as VirtualTensorError).code;
  }
  return undefined;
}

describe('parseSafetensors on the hf-tiny fixtures', () => {
  it('reads tiny_qwen2: 27 f32 tensors, data at 2560', () => {
    const bytes = fixture('tiny_qwen2.safetensors');
    const f = parseSafetensors(bytes);
    expect(f.tensors.size).toBe(27);
    const emb = f.tensors.get('model.embed_tokens.weight')!;
    expect(emb).toMatchObject({ dtype: 'f32', shape: [12, 8] });
    expect(emb.data.byteOffset).toBeGreaterThanOrEqual(2560);
    expect(f.tensors.get('model.layers.1.self_attn.k_proj.weight')!.shape).toEqual([4, 8]);
    expect(f.metadata).toEqual({});
  });

  it('reads tiny_distilgpt2 and views floats without copying', () => {
    const bytes = fixture('tiny_distilgpt2.safetensors');
    const f = parseSafetensors(bytes);
    expect(f.tensors.size).toBe(28);
    const w = f.tensors.get('transformer.h.0.attn.c_attn.weight')!;
    expect(w.shape).toEqual([8, 24]);
    const v = toFloat32(w);
    expect(v.buffer).toBe(bytes.buffer);
    const dv = new DataView(bytes.buffer, w.data.byteOffset);
    expect(v[5]).toBe(dv.getFloat32(20, true));
  });

  it('re-encodes each fixture bit-exactly to the same tensors', () => {
    for (const name of ['tiny_qwen2.safetensors', 'tiny_distilgpt2.safetensors']) {
      const f = parseSafetensors(fixture(name));
      const again = parseSafetensors(encodeSafetensors(f.tensors));
      expect([...again.tensors.keys()].sort()).toEqual([...f.tensors.keys()].sort());
      for (const [k, t] of f.tensors) {
        const u = again.tensors.get(k)!;
        expect(u.shape).toEqual(t.shape);
        expect(Buffer.from(u.data).equals(Buffer.from(t.data))).toBe(true);
      }
    }
  });
});

describe('encodeSafetensors', () => {
  const a: TensorEntry = float32ToEntry(new Float32Array([1, 2, 3]), [3]);
  const b: TensorEntry = { dtype: 'i64', shape: [1], data: new Uint8Array(8).fill(1) };

  it('is deterministic regardless of insertion order and pads data to 8 bytes', () => {
    const x = encodeSafetensors({ b, a }, { z: '1', a: '2' });
    const y = encodeSafetensors(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      { a: '2', z: '1' },
    );
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(true);
    const n = new DataView(x.buffer).getUint32(0, true);
    expect((8 + n) % 8).toBe(0);
    const f = parseSafetensors(x);
    expect([...f.tensors.keys()]).toEqual(['a', 'b']);
    expect(f.metadata).toEqual({ a: '2', z: '1' });
    expect(Array.from(toFloat32(f.tensors.get('a')!))).toEqual([1, 2, 3]);
  });

  it('rejects an entry whose bytes do not match its shape', () => {
    expect(codeOf(() => encodeSafetensors({ a: { ...a, shape: [4] } }))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => encodeSafetensors({ a: { ...a, dtype: 'f64' as never } }))).toBe('UNKNOWN_DTYPE');
  });

  it('round-trips arbitrary tensor sets (property)', () => {
    const dtypeArb = fc.constantFrom('f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'i8', 'bool' as const);
    const sizes = { f32: 4, f16: 2, bf16: 2, i32: 4, i64: 8, u8: 1, i8: 1, bool: 1 } as const;
    const entryArb = fc
      .tuple(dtypeArb, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
      .chain(([dtype, shape]) => {
        const n = shape.reduce((p, d) => p * d, 1) * sizes[dtype];
        return fc
          .uint8Array({ minLength: n, maxLength: n })
          .map((data) => ({ dtype, shape, data }) as TensorEntry);
      });
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== '__metadata__'),
          entryArb,
        ),
        (dict) => {
          const f = parseSafetensors(encodeSafetensors(dict));
          expect(f.tensors.size).toBe(Object.keys(dict).length);
          for (const [k, t] of Object.entries(dict)) {
            const u = f.tensors.get(k)!;
            expect(u.dtype).toBe(t.dtype);
            expect(u.shape).toEqual(t.shape);
            expect(Array.from(u.data)).toEqual(Array.from(t.data));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('parseSafetensors hostile input', () => {
  const f32x2 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: [string, () => Uint8Array, string][] = [
    ['fewer than 8 bytes', () => new Uint8Array(5), 'SAFETENSORS_TRUNCATED'],
    [
      'header length beyond the file',
      () => raw({ a: f32x2 }, new Uint8Array(8), 10_000),
      'SAFETENSORS_TRUNCATED',
    ],
    [
      'header length > 100 MB',
      () => raw({ a: f32x2 }, new Uint8Array(8), 100_000_001),
      'SAFETENSORS_HEADER_TOO_LARGE',
    ],
    [
      'header length ≥ 4 GiB (high word set)',
      () => {
        const b = raw({ a: f32x2 }, new Uint8Array(8));
        new DataView(b.buffer).setUint32(4, 1, true);
        return b;
      },
      'SAFETENSORS_HEADER_TOO_LARGE',
    ],
    [
      'header not JSON',
      () => {
        const b = raw({ a: f32x2 }, new Uint8Array(8));
        b[8] = 0x78;
        return b;
      },
      'SAFETENSORS_HEADER_INVALID',
    ],
    ['header an array', () => raw([1, 2]), 'SAFETENSORS_HEADER_INVALID'],
    ['metadata value not a string', () => raw({ __metadata__: { a: 1 } }), 'SAFETENSORS_HEADER_INVALID'],
    ['unknown dtype', () => raw({ a: { ...f32x2, dtype: 'F64' } }, new Uint8Array(8)), 'UNKNOWN_DTYPE'],
    [
      'missing dtype',
      () => raw({ a: { shape: [2], data_offsets: [0, 8] } }, new Uint8Array(8)),
      'SAFETENSORS_HEADER_INVALID',
    ],
    [
      'shape/byte-length mismatch',
      () => raw({ a: { ...f32x2, shape: [3] } }, new Uint8Array(8)),
      'SHAPE_MISMATCH',
    ],
    ['negative dimension', () => raw({ a: { ...f32x2, shape: [-2] } }, new Uint8Array(8)), 'SHAPE_MISMATCH'],
    ['offset out of range', () => raw({ a: f32x2 }, new Uint8Array(4)), 'SAFETENSORS_OFFSETS'],
    [
      'reversed offsets',
      () => raw({ a: { ...f32x2, data_offsets: [8, 0] } }, new Uint8Array(8)),
      'SAFETENSORS_OFFSETS',
    ],
    [
      'non-integer offsets',
      () => raw({ a: { ...f32x2, data_offsets: [0.5, 8.5] } }, new Uint8Array(9)),
      'SAFETENSORS_OFFSETS',
    ],
    [
      'overlapping tensors',
      () => raw({ a: f32x2, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)),
      'SAFETENSORS_OFFSETS',
    ],
  ];
  for (const [label, make, code] of cases) {
    it(`${label} → ${code}`, () => expect(codeOf(() => parseSafetensors(make()))).toBe(code));
  }

  it('honours a lower maxHeaderBytes', () => {
    const b = raw({ a: f32x2 }, new Uint8Array(8));
    expect(codeOf(() => parseSafetensors(b, { maxHeaderBytes: 10 }))).toBe('SAFETENSORS_HEADER_TOO_LARGE');
  });

  it('accepts zero-length tensors sharing an offset', () => {
    const b = raw({ a: f32x2, e: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } }, new Uint8Array(8));
    expect(parseSafetensors(b).tensors.get('e')!.data.length).toBe(0);
  });

  it('never throws anything but VirtualTensorError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 200 }), (tail, len) => {
        const b = new Uint8Array(8 + tail.length);
        new DataView(b.buffer).setUint32(0, len, true);
        b.set(tail, 8);
        try {
          parseSafetensors(b);
        } catch (e) {
          expect(e).toBeInstanceOf(VirtualTensorError);
        }
      }),
    );
  });
});

describe('float conversion', () => {
  it('toFloat32 copies unaligned f32 data', () => {
    const buf = new Uint8Array(13);
    new DataView(buf.buffer).setFloat32(1, 1.5, true);
    const v = toFloat32({ dtype: 'f32', shape: [1], data: buf.subarray(1, 5) });
    expect(v[0]).toBe(1.5);
    expect(v.buffer).not.toBe(buf.buffer);
  });

  it('f16: every bit pattern survives f16 → f32 → f16', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      f[0] = f16BitsToNumber(h);
      const back = f32BitsToF16Bits(u[0]!);
      const ok = Number.isNaN(f[0]) ? (back & 0x7c00) === 0x7c00 && (back & 0x3ff) !== 0 : back === h;
      if (!ok) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it('f16: f32 → f16 picks the nearest half, ties to even (property)', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -65504, max: 65504 }), (x) => {
        f[0] = x;
        const h = f32BitsToF16Bits(u[0]!);
        const y = f16BitsToNumber(h);
        const err = Math.abs(y - f[0]!);
        for (const nb of [h - 1, h + 1]) {
          if ((nb & 0x7c00) === 0x7c00 || nb < 0 || nb > 0xffff || ((nb ^ h) & 0x8000) !== 0) continue;
          const e2 = Math.abs(f16BitsToNumber(nb) - f[0]!);
          expect(err <= e2).toBe(true);
          if (err === e2) expect(h & 1).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
    f[0] = 70000;
    expect(f32BitsToF16Bits(u[0]!)).toBe(0x7c00);
    f[0] = -1e-10;
    expect(f32BitsToF16Bits(u[0]!)).toBe(0x8000);
  });

  it('float32ToEntry → toFloat32 for f16 and bf16', () => {
    const src = new Float32Array([
      0,
      -0,
      1,
      -2.5,
      3.140625,
      65504,
      1e-7,
      Number.POSITIVE_INFINITY,
      Number.NaN,
    ]);
    const h = toFloat32(float32ToEntry(src, [9], 'f16'));
    expect(Array.from(h.subarray(0, 6))).toEqual([0, -0, 1, -2.5, 3.140625, 65504]);
    expect(h[6]).toBeCloseTo(1.1920928955078125e-7, 12);
    expect(h[7]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(h[8])).toBe(true);
    const b = toFloat32(float32ToEntry(src, [9], 'bf16'));
    expect(Array.from(b.subarray(0, 5))).toEqual([0, -0, 1, -2.5, 3.140625]);
    expect(b[5]).toBe(65536); // bf16 has 8 significand bits: 65504 rounds up
    expect(Number.isNaN(b[8])).toBe(true);
    // bf16 ties to even: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7
    expect(toFloat32(float32ToEntry(new Float32Array([1 + 2 ** -8]), [1], 'bf16'))[0]).toBe(1);
    expect(toFloat32(float32ToEntry(new Float32Array([1 + 3 * 2 ** -8]), [1], 'bf16'))[0]).toBe(1 + 2 ** -6);
  });

  it('float32ToEntry rejects a shape that does not fit', () => {
    expect(codeOf(() => float32ToEntry(new Float32Array(3), [2, 2]))).toBe('SHAPE_MISMATCH');
  });
});
