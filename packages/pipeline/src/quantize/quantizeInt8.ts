/** Blockwise symmetric int8 weights in ONNX Runtime's MatMulNBits layout. */
export interface Int8Weight {
  /** [N, ceil(K/blockSize), blockSize] uint8, value = (q − 128) · scale */
  data: Uint8Array;
  /** [N · ceil(K/blockSize)] */
  scales: Float32Array;
  K: number;
  N: number;
  blockSize: number;
}

/** Default block: 32 input features share one scale (≈ 3% of the int8 bytes in scales). */
export const INT8_BLOCK_SIZE = 32;

/**
 * Quantises a projection y = x·W, with W given in HF layout: `in_out` is
 * [K, N] (GPT-2 Conv1D), `out_in` is [N, K] (nn.Linear). Each block of
 * `blockSize` input features of one output gets scale max|w| / 127.
 */
export function quantizeInt8(
  w: Float32Array,
  shape: readonly number[],
  layout: 'in_out' | 'out_in',
  blockSize = INT8_BLOCK_SIZE,
): Int8Weight {
  const [K, N] = layout === 'in_out' ? [shape[0]!, shape[1]!] : [shape[1]!, shape[0]!];
  const nBlocks = Math.ceil(K / blockSize);
  const data = new Uint8Array(N * nBlocks * blockSize).fill(128);
  const scales = new Float32Array(N * nBlocks);
  const at =
    layout === 'in_out' ? (k: number, n: number) => w[k * N + n]! : (k: number, n: number) => w[n * K + k]!;
  for (let n = 0; n < N; n++) {
    for (let blk = 0; blk < nBlocks; blk++) {
      const k0 = blk * blockSize;
      const k1 = Math.min(k0 + blockSize, K);
      let max = 0;
      for (let k = k0; k < k1; k++) max = Math.max(max, Math.abs(at(k, n)));
      const scale = max / 127 || 1;
      scales[n * nBlocks + blk] = scale;
      const base = (n * nBlocks + blk) * blockSize;
      for (let k = k0; k < k1; k++) data[base + k - k0] = Math.round(at(k, n) / scale) + 128;
    }
  }
  return { data, scales, K, N, blockSize };
}
