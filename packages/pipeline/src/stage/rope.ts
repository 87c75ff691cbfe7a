import type { ModelConfig } from '../families/config';

/**
 * RoPE cos/sin tables [maxPositions, headDim] in the rotate_half layout
 * (the frequency vector is repeated over both halves), as HF Llama/Qwen2 build them.
 */
export function ropeTables(cfg: ModelConfig): { cos: Float32Array; sin: Float32Array } {
  const hd = cfg.headDim;
  const half = hd / 2;
  const cos = new Float32Array(cfg.maxPositions * hd);
  const sin = new Float32Array(cfg.maxPositions * hd);
  // HF computes inv_freq in float32; round the same way so tables match to the last bit where possible.
  const invFreq = Float32Array.from(
    { length: half },
    (_, i) => 1 / (cfg.ropeTheta ?? 10000) ** ((2 * i) / hd),
  );
  for (let p = 0; p < cfg.maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * hd + i] = c;
      cos[p * hd + i + half] = c;
      sin[p * hd + i] = s;
      sin[p * hd + i + half] = s;
    }
  }
  return { cos, sin };
}
