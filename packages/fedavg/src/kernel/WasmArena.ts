import { FOLD_MODULE_BYTES, SCRATCH_BYTES } from './foldModuleBytes';

/** Which implementation folds updates: WebAssembly SIMD128 or plain JavaScript loops. */
export type KernelBackend = 'wasm-simd' | 'js';

interface FoldExports {
  fold32(dst: number, src: number, xBytes: number, w: number): number;
  fold64(dst: number, src: number, xBytes: number, w: number): number;
  assign32(dst: number, src: number, xBytes: number, w: number): number;
  assign64(dst: number, src: number, xBytes: number, w: number): number;
  sumsq(xBytes: number): number;
  div32(acc: number, accBytes: number, d: number): void;
  div64(acc: number, accBytes: number, d: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled fold module, or `null` where WebAssembly or its SIMD128
 * extension is unavailable (then callers use the JavaScript loops).
 */
export function foldModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled =
      typeof WebAssembly === 'object' && WebAssembly.validate(FOLD_MODULE_BYTES)
        ? new WebAssembly.Module(FOLD_MODULE_BYTES)
        : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Rounds an element count up to the kernel's step of 8 elements. */
export function padElements(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * One WebAssembly memory with the fold kernel instantiated on it: a scratch
 * block at address 0 and `dataBytes` of zeroed accumulator space after it.
 * The memory never grows, so the typed-array views stay valid.
 */
export class WasmArena {
  /** byte address of the first accumulator byte */
  static readonly DATA_START = SCRATCH_BYTES;
  private readonly fns: FoldExports;
  readonly buffer: ArrayBuffer;
  readonly f32: Float32Array;
  readonly f64: Float64Array;

  private constructor(fns: FoldExports, memory: WebAssembly.Memory) {
    this.fns = fns;
    this.buffer = memory.buffer;
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /** Creates an arena, or returns `null` when SIMD is unavailable or the memory cannot be allocated. */
  static create(dataBytes: number): WasmArena | null {
    const mod = foldModule();
    if (!mod) return null;
    try {
      const pages = Math.ceil((SCRATCH_BYTES + dataBytes) / 65536);
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
      const instance = new WebAssembly.Instance(mod, { env: { memory } });
      return new WasmArena(instance.exports as unknown as FoldExports, memory);
    } catch {
      return null;
    }
  }

  /** Copies `x` (≤ one block) into the scratch block, zero-padded to 8 elements; returns the padded byte count. */
  private stage(x: Float32Array): number {
    const n = x.length;
    const padded = padElements(n);
    this.f32.set(x, 0);
    if (padded !== n) this.f32.fill(0, n, padded);
    return padded * 4;
  }

  /**
   * f32 dst = src + w · x (w rounded to float32), |x| ≤ one block; returns Σ x² (float64).
   * `srcByte = -1` means a zero source that is not read (first update into fresh memory).
   */
  fold32(dstByte: number, srcByte: number, x: Float32Array, w: number): number {
    const xBytes = this.stage(x);
    return srcByte < 0
      ? this.fns.assign32(dstByte, 0, xBytes, w)
      : this.fns.fold32(dstByte, srcByte, xBytes, w);
  }

  /** f64 dst = src + w · x, |x| ≤ one block; returns Σ x² (float64); `srcByte = -1` as in {@link fold32} */
  fold64(dstByte: number, srcByte: number, x: Float32Array, w: number): number {
    const xBytes = this.stage(x);
    return srcByte < 0
      ? this.fns.assign64(dstByte, 0, xBytes, w)
      : this.fns.fold64(dstByte, srcByte, xBytes, w);
  }

  /** In place: f32 acc ← fl32(acc / d) over `elements` (padded to 8). */
  div32(accByte: number, elements: number, d: number): void {
    this.fns.div32(accByte, padElements(elements) * 4, d);
  }

  /** In place: f64 acc → f32 fl32(acc / d), written from `accByte` on, over `elements` (padded to 8). */
  div64(accByte: number, elements: number, d: number): void {
    this.fns.div64(accByte, padElements(elements) * 8, d);
  }

  /** Σ x², |x| ≤ one block (lane order documented in foldModuleBytes.ts) */
  sumsq(x: Float32Array): number {
    return this.fns.sumsq(this.stage(x));
  }
}
