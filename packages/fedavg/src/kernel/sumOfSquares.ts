import { KERNEL_BLOCK_ELEMENTS } from '../constants';
import { type KernelBackend, WasmArena } from './WasmArena';

let shared: WasmArena | null | undefined;

function scratchArena(): WasmArena | null {
  if (shared === undefined) shared = WasmArena.create(0);
  return shared;
}

/**
 * Σ x_i² in float64, block by block. Not finite exactly when `x` holds NaN or
 * ±Infinity (squares of finite float32 values cannot overflow float64), so it
 * doubles as the finiteness check. Both backends sum in the same order and
 * return bit-identical results.
 */
export function sumOfSquares(x: Float32Array, backend: KernelBackend = 'wasm-simd'): number {
  const arena = backend === 'wasm-simd' ? scratchArena() : null;
  let total = 0;
  for (let o = 0; o < x.length; o += KERNEL_BLOCK_ELEMENTS) {
    const block = x.subarray(o, Math.min(x.length, o + KERNEL_BLOCK_ELEMENTS));
    total += arena ? arena.sumsq(block) : sumsqBlockJs(block);
  }
  return total;
}

/** The wasm lane order: lane 0 sums elements ≡ 0, 2 (mod 4), lane 1 elements ≡ 1, 3. */
function sumsqBlockJs(x: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  const n = x.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = x[i]!;
    const b = x[i + 1]!;
    const c = x[i + 2]!;
    const d = x[i + 3]!;
    s0 = s0 + a * a + c * c;
    s1 = s1 + b * b + d * d;
  }
  // tail: the kernel sees zero padding, which adds +0 to each lane
  const t = [x[i] ?? 0, x[i + 1] ?? 0, x[i + 2] ?? 0];
  if (i < n) {
    s0 = s0 + t[0]! * t[0]! + t[2]! * t[2]!;
    s1 = s1 + t[1]! * t[1]!;
  }
  return s0 + s1;
}

/** Whether the WebAssembly SIMD kernel can run here. */
export function simdAvailable(): boolean {
  return scratchArena() !== null;
}
