import { KERNEL_BLOCK_ELEMENTS, KERNEL_MAX_ARENA_BYTES } from '../constants';
import type { TensorSchema, Tensors } from '../types';
import { type KernelBackend, padElements, WasmArena } from './WasmArena';

/** Accumulator element type: float32 (fast, default) or float64 (for many clients). */
export type Precision = 'f32' | 'f64';

/** A run of one tensor's elements stored contiguously in one arena. */
interface Segment {
  arena: WasmArena;
  /** byte address of element `start` in each buffer (two when double-buffered) */
  bytes: number[];
  /** first tensor element held (a multiple of the kernel block) */
  start: number;
  length: number;
}

/** Options of an {@link Accumulator}. */
export interface AccumulatorOptions {
  precision: Precision;
  backend: KernelBackend;
  /** keep a second buffer so {@link Accumulator.foldChecked} can fold and verify in one read */
  doubleBuffer?: boolean;
  /** bytes per WebAssembly memory (tests lower it to exercise segment splitting) */
  maxArenaBytes?: number;
}

/**
 * A zero-initialised running sum Σ_k w_k · x_k per tensor, O(model) memory
 * however many updates are folded: 4 (f32) or 8 (f64) bytes per parameter,
 * twice that when double-buffered.
 *
 * With the `wasm-simd` backend the sums live in WebAssembly memories (arenas of
 * at most 1 GiB; a larger tensor is split into segments) and each update block
 * is copied into a scratch block once. Both backends perform the same IEEE
 * operations in the same order, so they give bit-identical sums:
 * f32: acc ← fl32(acc + fl32(fl32(w) · x)); f64: acc ← fl64(acc + fl64(w · x)).
 *
 * Double buffering: an unverified update is folded from the current buffer
 * into the other one while its Σ x² is measured; only if that is finite do
 * the buffers swap. A rejected update therefore costs nothing to roll back,
 * and each update is read once.
 */
export class Accumulator {
  readonly precision: Precision;
  readonly backend: KernelBackend;
  readonly doubleBuffer: boolean;
  private readonly wasm = new Map<string, Segment[]>();
  private readonly js = new Map<string, Float32Array | Float64Array>();
  /** index of the buffer holding the committed sums */
  private cur = 0;
  /** false until the first fold: the buffers are still all zero and never touched */
  private touched = false;

  constructor(schema: TensorSchema, opts: AccumulatorOptions) {
    this.precision = opts.precision;
    const wasm =
      opts.backend === 'wasm-simd'
        ? this.layout(schema, opts.doubleBuffer ? 2 : 1, opts.maxArenaBytes ?? KERNEL_MAX_ARENA_BYTES)
        : null;
    this.backend = wasm ? 'wasm-simd' : 'js';
    this.doubleBuffer = wasm !== null && opts.doubleBuffer === true;
    if (wasm) {
      for (const [name, segs] of wasm) this.wasm.set(name, segs);
    } else {
      for (const [name, shape] of schema) {
        const n = shape.reduce((p, d) => p * d, 1);
        this.js.set(name, this.precision === 'f64' ? new Float64Array(n) : new Float32Array(n));
      }
    }
  }

  /** Plans segments over arenas and allocates them; `null` when wasm is unavailable. */
  private layout(
    schema: TensorSchema,
    buffers: number,
    maxArenaBytes: number,
  ): Map<string, Segment[]> | null {
    const item = this.precision === 'f64' ? 8 : 4;
    const blocks = Math.max(1, Math.floor(maxArenaBytes / buffers / item / KERNEL_BLOCK_ELEMENTS));
    const maxElems = blocks * KERNEL_BLOCK_ELEMENTS;
    const cap = maxElems * item * buffers;
    type Planned = { name: string; start: number; length: number; arena: number; bytes: number[] };
    const planned: Planned[] = [];
    const arenaBytes: number[] = [0];
    for (const [name, shape] of schema) {
      const n = shape.reduce((p, d) => p * d, 1);
      for (let start = 0; start < n; start += maxElems) {
        const length = Math.min(maxElems, n - start);
        const one = padElements(length) * item;
        let a = arenaBytes.length - 1;
        if (arenaBytes[a]! + one * buffers > cap) a = arenaBytes.push(0) - 1;
        const base = WasmArena.DATA_START + arenaBytes[a]!;
        planned.push({
          name,
          start,
          length,
          arena: a,
          bytes: Array.from({ length: buffers }, (_, b) => base + b * one),
        });
        arenaBytes[a]! += one * buffers;
      }
    }
    const arenas: WasmArena[] = [];
    for (const bytes of arenaBytes) {
      const arena = WasmArena.create(bytes);
      if (!arena) return null;
      arenas.push(arena);
    }
    const out = new Map<string, Segment[]>();
    for (const name of schema.keys()) out.set(name, []);
    for (const p of planned) {
      out.get(p.name)!.push({ arena: arenas[p.arena]!, bytes: p.bytes, start: p.start, length: p.length });
    }
    return out;
  }

  /** Marks the end of an in-place update (every tensor folded once): later folds read the sums. */
  commit(): void {
    this.touched = true;
  }

  /**
   * acc[name] += w · x in place, for an update already known to be finite; call
   * {@link commit} after the last tensor of each update. `x` must have the
   * tensor's element count (checked by the caller).
   */
  fold(name: string, x: Float32Array, w: number): void {
    const segs = this.wasm.get(name);
    if (segs) {
      const item = this.precision === 'f64' ? 8 : 4;
      const fresh = !this.touched;
      for (const s of segs) {
        const at = s.bytes[this.cur]!;
        for (let o = 0; o < s.length; o += KERNEL_BLOCK_ELEMENTS) {
          const block = x.subarray(s.start + o, s.start + Math.min(s.length, o + KERNEL_BLOCK_ELEMENTS));
          const dst = at + o * item;
          if (item === 8) s.arena.fold64(dst, fresh ? -1 : dst, block, w);
          else s.arena.fold32(dst, fresh ? -1 : dst, block, w);
        }
      }
      return;
    }
    const acc = this.js.get(name)!;
    const n = x.length;
    if (acc instanceof Float64Array) {
      for (let i = 0; i < n; i++) acc[i] = acc[i]! + w * x[i]!;
    } else {
      const w32 = Math.fround(w);
      for (let i = 0; i < n; i++) acc[i] = acc[i]! + Math.fround(w32 * x[i]!);
    }
  }

  /**
   * Double-buffered fold of a whole, not yet verified update (names in `names`
   * order): writes acc + w · x into the spare buffer while summing x², then
   * commits (swaps buffers) only when that sum is finite.
   * @returns Σ x² over all tensors; not finite ⇔ the update held NaN/±Inf and nothing changed
   */
  foldChecked(names: Iterable<string>, delta: Tensors, w: number): number {
    if (!this.doubleBuffer) throw new Error('foldChecked needs a double-buffered wasm accumulator');
    const src = this.cur;
    const dst = 1 - src;
    const fresh = !this.touched;
    let sumsq = 0;
    for (const name of names) {
      const x = delta.get(name)!;
      for (const s of this.wasm.get(name)!) {
        const from = fresh ? -1 : s.bytes[src]!;
        const to = s.bytes[dst]!;
        for (let o = 0; o < s.length; o += KERNEL_BLOCK_ELEMENTS) {
          const block = x.subarray(s.start + o, s.start + Math.min(s.length, o + KERNEL_BLOCK_ELEMENTS));
          sumsq +=
            this.precision === 'f64'
              ? s.arena.fold64(to + o * 8, fresh ? -1 : from + o * 8, block, w)
              : s.arena.fold32(to + o * 4, fresh ? -1 : from + o * 4, block, w);
        }
      }
    }
    if (Number.isFinite(sumsq)) {
      this.cur = dst;
      this.touched = true;
    }
    return sumsq;
  }

  /**
   * Returns fl32(acc[name] / divisor) (one rounding from the float64 quotient) and
   * retires the accumulator for that tensor: with the wasm backend the quotient is
   * computed in place and returned as a view into the arena's memory (no copy,
   * no fresh pages) unless the tensor spans several segments.
   */
  quotient(name: string, divisor: number): Float32Array {
    const segs = this.wasm.get(name);
    if (segs) {
      for (const s of segs) {
        if (this.precision === 'f64') s.arena.div64(s.bytes[this.cur]!, s.length, divisor);
        else s.arena.div32(s.bytes[this.cur]!, s.length, divisor);
      }
      const view = (s: Segment) => new Float32Array(s.arena.buffer, s.bytes[this.cur]!, s.length);
      if (segs.length === 1) return view(segs[0]!);
      const n = segs.reduce((m, s) => Math.max(m, s.start + s.length), 0);
      const out = new Float32Array(n);
      for (const s of segs) out.set(view(s), s.start);
      return out;
    }
    const acc = this.js.get(name)!;
    const out = acc instanceof Float32Array ? acc : new Float32Array(acc.length);
    for (let i = 0; i < acc.length; i++) out[i] = acc[i]! / divisor;
    return out;
  }
}
