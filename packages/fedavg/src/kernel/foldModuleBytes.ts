/**
 * The WebAssembly (SIMD128) binary behind the fold kernel, assembled from the
 * instruction list below at load time (about 300 bytes, no build step).
 *
 * Memory (imported as `env.memory`): bytes [0, SCRATCH) are a scratch block that
 * JavaScript fills with one block of an update (float32, zero-padded to a
 * multiple of 8 elements); accumulators live after it.
 *
 * Exports:
 * - `fold32(dst, src, xBytes, w: f32) → f64`: f32 dst[i] = src[i] + w · x[i] (dst = src: in place),
 *   returning Σ f64(x[i])² in the lane order of `sumsq`;
 * - `fold64(dst, src, xBytes, w: f64) → f64`: f64 dst[i] = src[i] + w · f64(x[i]), same Σ x²;
 * - `assign32`/`assign64(dst, 0, xBytes, w) → f64`: as fold with src = +0 but without reading it;
 * - `sumsq(xBytes) → f64`: Σ f64(x[i])², two lanes (elements ≡ 0,2 and ≡ 1,3 mod 4), lane 0 + lane 1;
 * - `div32(acc, accBytes, d: f64)`: in place, f32 acc[i] ← fl32(f64(acc[i]) / d);
 * - `div64(acc, accBytes, d: f64)`: in place, f64 acc[i] → f32 out[i] = fl32(acc[i] / d), out starting at `acc`
 *   (each write lands at or below bytes already read).
 * `acc` is a byte address; `xBytes`/`accBytes` multiples of 32.
 */

import { KERNEL_BLOCK_ELEMENTS } from '../constants';

const I32 = 0x7f;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const tee = (i: number) => [0x22, i];
/** i32.const for 0 ≤ v < 64 (one-byte signed LEB128) */
const i32c = (v: number) => [0x41, v];
const I32_ADD = [0x6a];
const I32_GE_U = [0x4f];
const F64_ADD = [0xa0];
const simd = (op: number) => [0xfd, ...uleb(op)];
const load = (offset: number) => [...simd(0), 4, ...uleb(offset)];
const store = (offset: number) => [...simd(11), 4, ...uleb(offset)];
const load64Zero = (offset: number) => [...simd(93), 3, ...uleb(offset)];
const F32X4_SPLAT = simd(19);
const F64X2_SPLAT = simd(20);
const F64X2_EXTRACT = (lane: number) => [...simd(33), lane];
const F32X4_ADD = simd(228);
const F32X4_MUL = simd(230);
const F64X2_ADD = simd(240);
const F64X2_MUL = simd(242);
const F64X2_PROMOTE_LOW = simd(95);
const F32X4_DEMOTE_ZERO = simd(94);
const F64X2_DIV = simd(243);
const store64Lane0 = (offset: number) => [...simd(91), 3, ...uleb(offset), 0];

/** `loop { if (counter >= limit) break; body; counter += step; continue }` */
function countedLoop(counter: number, limit: number, body: number[]): number[] {
  return [
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(counter),
    ...get(limit),
    ...I32_GE_U,
    0x0d,
    1,
    ...body,
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
}

/**
 * fold32(dst=0, src=1, xBytes=2, w=3) → f64; locals: i=4 (byte index into x), wv=5, lanes=6, t=7,
 * zero=8. Without `src` (`assign32`) the accumulator is not read: dst = (+0) + w·x, the same bits
 * as folding into zeros, but a fresh page is touched once (written) instead of twice.
 */
function fold32(withSrc: boolean) {
  return {
    type: 0,
    locals: [
      [1, I32],
      [4, V128],
    ],
    code: [
      ...get(3),
      ...F32X4_SPLAT,
      ...set(5),
      ...countedLoop(4, 2, [
        ...[0, 16].flatMap((off) => [
          ...get(0),
          ...(withSrc ? [...get(1), ...load(off)] : get(8)),
          ...get(4),
          ...load(off),
          ...get(5),
          ...F32X4_MUL,
          ...F32X4_ADD,
          ...store(off),
        ]),
        ...[0, 8, 16, 24].flatMap((off) => [
          ...get(4),
          ...load64Zero(off),
          ...F64X2_PROMOTE_LOW,
          ...tee(7),
          ...get(7),
          ...F64X2_MUL,
          ...get(6),
          ...F64X2_ADD,
          ...set(6),
        ]),
        ...[0, 1].flatMap((p) => [...get(p), ...i32c(32), ...I32_ADD, ...set(p)]),
        ...get(4),
        ...i32c(32),
        ...I32_ADD,
        ...set(4),
      ]),
      ...get(6),
      ...F64X2_EXTRACT(0),
      ...get(6),
      ...F64X2_EXTRACT(1),
      ...F64_ADD,
    ],
  };
}

/** fold64(dst=0, src=1, xBytes=2, w=3) → f64; accumulators advance 2 bytes per x byte. `assign64` without src. */
function fold64(withSrc: boolean) {
  return {
    type: 1,
    locals: [
      [1, I32],
      [4, V128],
    ],
    code: [
      ...get(3),
      ...F64X2_SPLAT,
      ...set(5),
      ...countedLoop(4, 2, [
        ...[0, 8].flatMap((off) => [
          ...get(4),
          ...load64Zero(off),
          ...F64X2_PROMOTE_LOW,
          ...tee(7),
          ...get(7),
          ...F64X2_MUL,
          ...get(6),
          ...F64X2_ADD,
          ...set(6),
          ...get(0),
          ...(withSrc ? [...get(1), ...load(2 * off)] : get(8)),
          ...get(7),
          ...get(5),
          ...F64X2_MUL,
          ...F64X2_ADD,
          ...store(2 * off),
        ]),
        ...[0, 1].flatMap((p) => [...get(p), ...i32c(32), ...I32_ADD, ...set(p)]),
        ...get(4),
        ...i32c(16),
        ...I32_ADD,
        ...set(4),
      ]),
      ...get(6),
      ...F64X2_EXTRACT(0),
      ...get(6),
      ...F64X2_EXTRACT(1),
      ...F64_ADD,
    ],
  };
}

// sumsq(xBytes=0) → f64 locals: i=1, lanes=2, tmp=3
const sumsq = {
  type: 2,
  locals: [
    [1, I32],
    [2, V128],
  ],
  code: [
    ...countedLoop(1, 0, [
      ...[0, 8].flatMap((off) => [
        ...get(1),
        ...load64Zero(off),
        ...F64X2_PROMOTE_LOW,
        ...tee(3),
        ...get(3),
        ...F64X2_MUL,
        ...get(2),
        ...F64X2_ADD,
        ...set(2),
      ]),
      ...get(1),
      ...i32c(16),
      ...I32_ADD,
      ...set(1),
    ]),
    ...get(2),
    ...F64X2_EXTRACT(0),
    ...get(2),
    ...F64X2_EXTRACT(1),
    ...F64_ADD,
  ],
};

// div32(acc=0, accBytes=1, d=2) locals: i=3, dv=4 — two float32 per half-vector
const div32 = {
  type: 3,
  locals: [
    [1, I32],
    [1, V128],
  ],
  code: [
    ...get(2),
    ...F64X2_SPLAT,
    ...set(4),
    ...countedLoop(3, 1, [
      ...[0, 8].flatMap((off) => [
        ...get(0),
        ...get(0),
        ...load64Zero(off),
        ...F64X2_PROMOTE_LOW,
        ...get(4),
        ...F64X2_DIV,
        ...F32X4_DEMOTE_ZERO,
        ...store64Lane0(off),
      ]),
      ...get(0),
      ...i32c(16),
      ...I32_ADD,
      ...set(0),
      ...get(3),
      ...i32c(16),
      ...I32_ADD,
      ...set(3),
    ]),
  ],
};

// div64(acc=0, accBytes=1, d=2) locals: i=3 (read offset), dv=4; writes at acc + i/2
const div64 = {
  type: 3,
  locals: [
    [1, I32],
    [1, V128],
  ],
  code: [
    ...get(2),
    ...F64X2_SPLAT,
    ...set(4),
    ...countedLoop(3, 1, [
      ...get(0),
      ...get(3),
      ...i32c(1),
      ...[0x76], // i32.shr_u
      ...I32_ADD,
      ...get(0),
      ...get(3),
      ...I32_ADD,
      ...load(0),
      ...get(4),
      ...F64X2_DIV,
      ...F32X4_DEMOTE_ZERO,
      ...store64Lane0(0),
      ...get(3),
      ...i32c(16),
      ...I32_ADD,
      ...set(3),
    ]),
  ],
};

const TYPES: [number[], number[]][] = [
  [[I32, I32, I32, F32], [F64]],
  [[I32, I32, I32, F64], [F64]],
  [[I32], [F64]],
  [[I32, I32, F64], []],
];
const FUNCS = [fold32(true), fold64(true), sumsq, div32, div64, fold32(false), fold64(false)];
const EXPORTS: [string, number][] = [
  ['fold32', 0],
  ['fold64', 1],
  ['sumsq', 2],
  ['div32', 3],
  ['div64', 4],
  ['assign32', 5],
  ['assign64', 6],
];

function assemble(): Uint8Array<ArrayBuffer> {
  const types = section(
    1,
    vec(TYPES.map(([p, r]) => [0x60, ...vec(p.map((t) => [t])), ...vec(r.map((t) => [t]))])),
  );
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec(FUNCS.map((f) => uleb(f.type))));
  const exports = section(7, vec(EXPORTS.map(([n, i]) => [...name(n), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      FUNCS.map((f) => {
        const body = [...vec(f.locals.map(([count, type]) => [...uleb(count!), type!])), ...f.code, 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

/** The assembled module binary. */
export const FOLD_MODULE_BYTES: Uint8Array<ArrayBuffer> = assemble();

/** Bytes of the scratch block at address 0 (one kernel block of float32). */
export const SCRATCH_BYTES = KERNEL_BLOCK_ELEMENTS * 4;
