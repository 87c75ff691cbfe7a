import type { AggregateResult, Aggregator } from './Aggregator';
import { checkSchema } from './checkSchema';
import { checkTensors } from './checkTensors';
import {
  checkNumSamples,
  checkSampleTotal,
  checkUpdate,
  isCheckedFor,
  markChecked,
  throwNonFinite,
} from './checkUpdate';
import { checkClipNorm, clipFactor } from './clipByNorm';
import { checkDpOptions, type DpOptions } from './differentialPrivacy';
import { FedAvgError } from './errors';
import { Accumulator, type Precision } from './kernel/Accumulator';
import { foldModule, type KernelBackend } from './kernel/WasmArena';
import { SeededRng } from './SeededRng';
import type { CheckedUpdate, ClientUpdate, TensorSchema } from './types';

/** Options of the streaming FedAvg aggregator. */
export interface FedAvgOptions {
  rule?: 'fedavg';
  /**
   * Accumulator element type. `f32` (default): |error| ≤ γ_{K+3} · Σ_k (n_k/n)|Δ_k,i| per coordinate,
   * γ_m = m·u/(1 − m·u), u = 2⁻²⁴. `f64`: |error| ≤ 2⁻²⁴·|Δ̄_i| + γ_{K+2}(u = 2⁻⁵³) · Σ_k (n_k/n)|Δ_k,i|,
   * i.e. correctly rounded float32 up to a term that stays negligible for any realistic K.
   */
  precision?: Precision;
  /** `samples` (default): weights n_k / n. `uniform`: weights 1 / K (forced by `dp`) */
  weighting?: 'samples' | 'uniform';
  /** per-update L2 clipping bound C: Δ_k ← Δ_k · min(1, C / ‖Δ_k‖₂) before folding */
  clipNorm?: number;
  /** central differential privacy (fixed clipping + Gaussian noise); implies uniform weighting */
  dp?: DpOptions;
  /** fold kernel: `wasm-simd` (default, falls back to `js` where unavailable) or `js` */
  backend?: KernelBackend;
  /**
   * `fused` (default with `wasm-simd`): each unchecked update is read once — folded into a spare
   * accumulator while it is verified, committed only if finite; accumulator memory doubles
   * (8 B/param for f32, 16 for f64). `two-pass`: check, then fold in place (4 or 8 B/param, one
   * more read per update). Clipping and the `js` backend always use two passes.
   */
  fold?: 'fused' | 'two-pass';
}

/**
 * FedAvg with streaming accumulation: each update is checked, then folded into
 * a running weighted sum tensor by tensor and dropped. Memory is O(model)
 * (one accumulator of 4 or 8 bytes per parameter), independent of the number
 * of clients; no update is retained.
 *
 * Result: Δ̄ = Σ_k (n_k / n) · Δ_k with n = Σ_k n_k (weights 1/K when uniform).
 */
export class StreamingAggregator implements Aggregator {
  readonly kind = 'streaming' as const;
  readonly rule = 'fedavg' as const;
  readonly schema: TensorSchema;
  readonly precision: Precision;
  readonly weighting: 'samples' | 'uniform';
  private readonly acc: Accumulator;
  private readonly clipNorm: number | undefined;
  private readonly dp: DpOptions | undefined;
  private readonly kernel: KernelBackend;
  private count = 0;
  private samples = 0;
  private clippedCount = 0;
  private done = false;

  constructor(schema: TensorSchema, opts: FedAvgOptions = {}) {
    checkSchema(schema);
    if (opts.rule !== undefined && opts.rule !== 'fedavg') {
      throw new FedAvgError('INVALID_OPTION', `StreamingAggregator only runs "fedavg", not "${opts.rule}".`);
    }
    const precision = opts.precision ?? 'f32';
    if (precision !== 'f32' && precision !== 'f64') {
      throw new FedAvgError('INVALID_OPTION', 'precision must be "f32" or "f64".', { meta: { precision } });
    }
    if (opts.clipNorm !== undefined) checkClipNorm(opts.clipNorm);
    if (opts.dp) {
      checkDpOptions(opts.dp);
      if (opts.weighting === 'samples') {
        throw new FedAvgError('INVALID_OPTION', 'Differential privacy needs uniform weighting.', {
          details: 'With n_k weights one client could move the average by more than C / K.',
        });
      }
      if (opts.clipNorm !== undefined && opts.clipNorm !== opts.dp.clipNorm) {
        throw new FedAvgError('INVALID_OPTION', 'clipNorm and dp.clipNorm disagree.', {
          meta: { clipNorm: opts.clipNorm, dpClipNorm: opts.dp.clipNorm },
        });
      }
    }
    const weighting = opts.dp ? 'uniform' : (opts.weighting ?? 'samples');
    if (weighting !== 'samples' && weighting !== 'uniform') {
      throw new FedAvgError('INVALID_OPTION', 'weighting must be "samples" or "uniform".');
    }
    this.schema = schema;
    this.precision = precision;
    this.weighting = weighting;
    this.clipNorm = opts.dp ? opts.dp.clipNorm : opts.clipNorm;
    this.dp = opts.dp;
    if (opts.fold !== undefined && opts.fold !== 'fused' && opts.fold !== 'two-pass') {
      throw new FedAvgError('INVALID_OPTION', 'fold must be "fused" or "two-pass".', {
        meta: { fold: opts.fold },
      });
    }
    this.kernel = opts.backend === 'js' || !foldModule() ? 'js' : 'wasm-simd';
    this.acc = new Accumulator(schema, {
      precision,
      backend: this.kernel,
      doubleBuffer: (opts.fold ?? 'fused') === 'fused' && this.clipNorm === undefined,
    });
  }

  /** The kernel actually folding updates (`js` when WebAssembly SIMD is unavailable). */
  get backend(): KernelBackend {
    return this.acc.backend;
  }

  get clients(): number {
    return this.count;
  }

  get numSamples(): number {
    return this.samples;
  }

  /**
   * Folds one update tensor by tensor: acc += w_k · clip_k · Δ_k. Every check of
   * {@link checkUpdate} applies, and a failing update leaves the sums untouched
   * (fused mode verifies while folding into a spare buffer and commits at the end).
   * @throws FedAvgError from {@link checkUpdate}, or `ROUND_CLOSED` after {@link finish}
   */
  add(update: ClientUpdate | CheckedUpdate): CheckedUpdate {
    if (this.done) throw new FedAvgError('ROUND_CLOSED', 'This aggregator has already produced its result.');
    if (this.acc.doubleBuffer && !isCheckedFor(update, this.schema)) {
      checkNumSamples(update.numSamples);
      checkSampleTotal(this.samples, update.numSamples);
      checkTensors(this.schema, update.delta, update.shapes);
      const w = this.weighting === 'samples' ? update.numSamples : 1;
      const sumsq = this.acc.foldChecked(this.schema.keys(), update.delta, w);
      if (!Number.isFinite(sumsq)) throwNonFinite(this.schema, update.delta);
      this.count++;
      this.samples += update.numSamples;
      return markChecked(update, this.schema, Math.sqrt(sumsq));
    }
    const checked = isCheckedFor(update, this.schema)
      ? update
      : checkUpdate(this.schema, update, { backend: this.kernel });
    checkSampleTotal(this.samples, checked.numSamples);
    const factor = this.clipNorm === undefined ? 1 : clipFactor(checked.norm, this.clipNorm);
    if (factor < 1) this.clippedCount++;
    const w = (this.weighting === 'samples' ? checked.numSamples : 1) * factor;
    for (const name of this.schema.keys()) this.acc.fold(name, checked.delta.get(name)!, w);
    this.acc.commit();
    this.count++;
    this.samples += checked.numSamples;
    return checked;
  }

  /**
   * Δ̄ = acc / n (or acc / K when uniform), plus Gaussian noise under `dp`.
   * @throws FedAvgError `EMPTY_AGGREGATE` when no update was added
   */
  finish(): AggregateResult {
    if (this.done) throw new FedAvgError('ROUND_CLOSED', 'This aggregator has already produced its result.');
    if (this.count === 0) {
      throw new FedAvgError('EMPTY_AGGREGATE', 'No update was aggregated.', {
        details: 'An average of zero updates is undefined; the model must stay unchanged.',
      });
    }
    this.done = true;
    const divisor = this.weighting === 'samples' ? this.samples : this.count;
    const delta = new Map<string, Float32Array>();
    for (const name of this.schema.keys()) delta.set(name, this.acc.quotient(name, divisor));
    const result: AggregateResult = {
      rule: 'fedavg',
      delta,
      clients: this.count,
      numSamples: this.samples,
      clipped: this.clippedCount,
    };
    if (this.dp) {
      const stddev = (this.dp.noiseMultiplier * this.dp.clipNorm) / this.count;
      const rng = new SeededRng(this.dp.seed);
      if (stddev > 0) {
        for (const name of [...this.schema.keys()].sort()) {
          const x = delta.get(name)!;
          for (let i = 0; i < x.length; i++) x[i] = x[i]! + stddev * rng.nextGaussian();
        }
      }
      result.dp = {
        mechanism: 'gaussian',
        noiseMultiplier: this.dp.noiseMultiplier,
        clipNorm: this.dp.clipNorm,
        clients: this.count,
        stddev,
        clipped: this.clippedCount,
        seeded: this.dp.seed !== undefined,
      };
    }
    return result;
  }
}
