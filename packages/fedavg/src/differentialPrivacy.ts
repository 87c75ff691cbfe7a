import { checkClipNorm } from './clipByNorm';
import { FedAvgError } from './errors';
import type { RngSeed } from './SeededRng';

/**
 * Central differential privacy for FedAvg (DP-FedAvg, McMahan et al. 2018,
 * "Learning Differentially Private Recurrent Language Models", fixed clipping):
 * every update is clipped to L2 norm `clipNorm`, updates are averaged with
 * uniform weights (n_k-weighting would let one client's influence exceed
 * C / K), and Gaussian noise N(0, σ²) with σ = noiseMultiplier · clipNorm / K
 * is added to every coordinate of the average.
 *
 * This reports the noise multiplier; turning it into (ε, δ) needs an accountant
 * over the sampling rate and number of rounds, which is outside this package.
 */
export interface DpOptions {
  /** C: fixed L2 clipping bound per update */
  clipNorm: number;
  /** z ≥ 0: noise standard deviation in units of the clipped sensitivity */
  noiseMultiplier: number;
  /** RNG seed for reproducible noise; omit to seed from `crypto.getRandomValues` */
  seed?: RngSeed;
}

/** What was done to the aggregate for differential privacy. */
export interface DpReport {
  mechanism: 'gaussian';
  /** z */
  noiseMultiplier: number;
  /** C */
  clipNorm: number;
  /** K: updates averaged */
  clients: number;
  /** σ = z · C / K, per coordinate of the average */
  stddev: number;
  /** updates whose norm exceeded C and were scaled down */
  clipped: number;
  /** true when a caller-provided seed made the noise reproducible */
  seeded: boolean;
}

/**
 * Validates DP options.
 * @throws FedAvgError `INVALID_OPTION`
 */
export function checkDpOptions(dp: DpOptions): void {
  checkClipNorm(dp.clipNorm, 'dp.clipNorm');
  if (
    typeof dp.noiseMultiplier !== 'number' ||
    !Number.isFinite(dp.noiseMultiplier) ||
    dp.noiseMultiplier < 0
  ) {
    throw new FedAvgError('INVALID_OPTION', 'dp.noiseMultiplier must be a finite number ≥ 0.', {
      meta: { noiseMultiplier: dp.noiseMultiplier },
    });
  }
}
