import { DEFAULT_INT8_BLOCK } from '../constants';
import { FedAvgError } from '../errors';
import type { Tensors } from '../types';
import { decodeFp16, encodeFp16 } from './fp16';
import { decodeInt8, encodeInt8, type Int8Blocks } from './int8Block';

/** One tensor in wire form. */
export type CompressedTensor = { codec: 'fp16'; data: Uint16Array } | ({ codec: 'int8' } & Int8Blocks);

/** Lossy codecs for update tensors on the wire. */
export type UpdateCodec = 'fp16' | 'int8';

/** Compresses one tensor. */
export function compressTensor(
  x: Float32Array,
  codec: UpdateCodec,
  blockSize = DEFAULT_INT8_BLOCK,
): CompressedTensor {
  if (codec === 'fp16') return { codec, data: encodeFp16(x) };
  if (codec === 'int8') return { codec, ...encodeInt8(x, blockSize) };
  throw new FedAvgError('INVALID_OPTION', `Unknown codec "${String(codec)}".`);
}

/** Decompresses one tensor to float32. */
export function decompressTensor(c: CompressedTensor): Float32Array {
  return c.codec === 'fp16' ? decodeFp16(c.data) : decodeInt8(c);
}

/** Decompresses every tensor of a compressed update. */
export function decompressUpdate(c: ReadonlyMap<string, CompressedTensor>): Map<string, Float32Array> {
  return new Map([...c].map(([name, t]) => [name, decompressTensor(t)]));
}

/**
 * Client-side compression with error feedback (Seide et al. 2014; Karimireddy
 * et al. 2019, "Error Feedback Fixes SignSGD"): the part of an update lost to
 * quantization is kept and added to the next update, so nothing is lost over
 * rounds — Σ_t decoded_t = Σ_t Δ_t − e_T, with the residual e_T bounded by one
 * step's quantization error.
 *
 *   p = Δ_t + e_{t−1};  c_t = compress(p);  e_t = p − decompress(c_t)
 */
export class ErrorFeedbackCompressor {
  readonly codec: UpdateCodec;
  readonly blockSize: number;
  private readonly residuals = new Map<string, Float32Array>();

  constructor(opts: { codec: UpdateCodec; blockSize?: number }) {
    if (opts.codec !== 'fp16' && opts.codec !== 'int8') {
      throw new FedAvgError('INVALID_OPTION', `Unknown codec "${String(opts.codec)}".`);
    }
    this.codec = opts.codec;
    this.blockSize = opts.blockSize ?? DEFAULT_INT8_BLOCK;
  }

  /** The residual e carried into the next round for `name` (a copy), or undefined before the first call. */
  residual(name: string): Float32Array | undefined {
    return this.residuals.get(name)?.slice();
  }

  /**
   * Compresses Δ_t + e_{t−1} tensor by tensor and updates the residuals.
   * A tensor whose length changed since the last round restarts with e = 0.
   */
  compress(delta: Tensors): Map<string, CompressedTensor> {
    const out = new Map<string, CompressedTensor>();
    const next = new Map<string, Float32Array>();
    for (const [name, x] of delta) {
      const e = this.residuals.get(name);
      const p = new Float32Array(x.length);
      if (e && e.length === x.length) for (let i = 0; i < x.length; i++) p[i] = x[i]! + e[i]!;
      else p.set(x);
      const c = compressTensor(p, this.codec, this.blockSize);
      const d = decompressTensor(c);
      for (let i = 0; i < p.length; i++) p[i] = p[i]! - d[i]!;
      out.set(name, c);
      next.set(name, p);
    }
    for (const [name, e] of next) this.residuals.set(name, e);
    return out;
  }
}
