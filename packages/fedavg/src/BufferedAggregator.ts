import type { AggregateResult, Aggregator } from './Aggregator';
import { checkSchema } from './checkSchema';
import { checkSampleTotal, checkUpdate, isCheckedFor } from './checkUpdate';
import { checkClipNorm, clipFactor } from './clipByNorm';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_TRIM_FRACTION } from './constants';
import { FedAvgError } from './errors';
import { coordinateMedian } from './robust/coordinateMedian';
import { krumScores, selectLowest } from './robust/krumScores';
import { trimmedMean } from './robust/trimmedMean';
import type { CheckedUpdate, ClientUpdate, TensorSchema } from './types';

/**
 * Options shared by the robust rules. These rules need **all** updates at once,
 * so they buffer a float32 copy of each: memory = clients × model bytes. The
 * bound is checked up front: maxClients × model bytes ≤ maxBufferedBytes.
 */
export interface BufferedRuleOptions {
  /** most updates this aggregator accepts (required: it bounds memory) */
  maxClients: number;
  /** memory cap for the buffered copies. bytes, default 2 GiB */
  maxBufferedBytes?: number;
  /** per-update L2 clipping bound applied before buffering */
  clipNorm?: number;
}

/** Coordinate-wise β-trimmed mean (unweighted: a self-reported n_k must not buy influence). */
export interface TrimmedMeanOptions extends BufferedRuleOptions {
  rule: 'trimmed-mean';
  /** β ∈ [0, 0.5): fraction dropped at each end per coordinate; default 0.1 */
  trim?: number;
}

/** Coordinate-wise median (unweighted). */
export interface MedianOptions extends BufferedRuleOptions {
  rule: 'median';
}

/**
 * Krum (select = 1) and multi-Krum (select = m > 1): keep the m updates with the
 * lowest Krum scores; multi-Krum averages them with n_k weights.
 */
export interface KrumOptions extends BufferedRuleOptions {
  rule: 'krum';
  /** f: Byzantine clients tolerated; needs K > 2f + 2 updates at finish */
  byzantine: number;
  /** m ∈ [1, K − f]: updates selected; default 1 (Krum) */
  select?: number;
}

/** Options of the buffered (robust) rules. */
export type RobustRuleOptions = TrimmedMeanOptions | MedianOptions | KrumOptions;

function nonNegInt(v: unknown, name: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new FedAvgError('INVALID_OPTION', `${name} must be an integer ≥ ${min}.`, { meta: { [name]: v } });
  }
  return v;
}

/**
 * Robust aggregation over buffered updates: trimmed mean, coordinate median,
 * Krum/multi-Krum. Unlike {@link StreamingAggregator} this keeps every update
 * (O(clients × model) memory, bounded by `maxClients × model bytes ≤ maxBufferedBytes`).
 */
export class BufferedAggregator implements Aggregator {
  readonly kind = 'buffered' as const;
  readonly rule: RobustRuleOptions['rule'];
  readonly schema: TensorSchema;
  readonly maxClients: number;
  private readonly opts: RobustRuleOptions;
  private readonly stored: { delta: Float32Array[]; numSamples: number }[] = [];
  private samples = 0;
  private clippedCount = 0;
  private done = false;

  /** @throws FedAvgError `INVALID_OPTION`, `MEMORY_LIMIT` (maxClients × model bytes > maxBufferedBytes) */
  constructor(schema: TensorSchema, opts: RobustRuleOptions) {
    const modelBytes = checkSchema(schema);
    if (opts.rule !== 'trimmed-mean' && opts.rule !== 'median' && opts.rule !== 'krum') {
      throw new FedAvgError(
        'INVALID_OPTION',
        `Unknown robust rule "${String((opts as { rule: unknown }).rule)}".`,
      );
    }
    this.maxClients = nonNegInt(opts.maxClients, 'maxClients', 1);
    const cap = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (typeof cap !== 'number' || !(cap >= 0)) {
      throw new FedAvgError('INVALID_OPTION', 'maxBufferedBytes must be a number ≥ 0.');
    }
    if (this.maxClients * modelBytes > cap) {
      throw new FedAvgError('MEMORY_LIMIT', `The ${opts.rule} rule would buffer too much memory.`, {
        details: `${this.maxClients} clients × ${modelBytes} model bytes > ${cap} bytes allowed; lower maxClients or raise maxBufferedBytes.`,
        meta: { maxClients: this.maxClients, modelBytes, maxBufferedBytes: cap },
      });
    }
    if (opts.clipNorm !== undefined) checkClipNorm(opts.clipNorm);
    if (opts.rule === 'trimmed-mean') {
      const t = opts.trim ?? DEFAULT_TRIM_FRACTION;
      if (typeof t !== 'number' || !(t >= 0 && t < 0.5)) {
        throw new FedAvgError('INVALID_OPTION', 'trim must be a fraction in [0, 0.5).', {
          meta: { trim: t },
        });
      }
    }
    if (opts.rule === 'krum') {
      nonNegInt(opts.byzantine, 'byzantine');
      if (opts.select !== undefined) nonNegInt(opts.select, 'select', 1);
    }
    this.rule = opts.rule;
    this.schema = schema;
    this.opts = opts;
  }

  get clients(): number {
    return this.stored.length;
  }

  get numSamples(): number {
    return this.samples;
  }

  /**
   * Checks the update, then stores a float32 copy (clipped when `clipNorm` is set).
   * @throws FedAvgError from {@link checkUpdate}, `TOO_MANY_CLIENTS`, or `ROUND_CLOSED` after {@link finish}
   */
  add(update: ClientUpdate | CheckedUpdate): CheckedUpdate {
    if (this.done) throw new FedAvgError('ROUND_CLOSED', 'This aggregator has already produced its result.');
    if (this.stored.length >= this.maxClients) {
      throw new FedAvgError(
        'TOO_MANY_CLIENTS',
        `The ${this.rule} rule accepts at most ${this.maxClients} updates.`,
        {
          meta: { maxClients: this.maxClients },
        },
      );
    }
    const checked = isCheckedFor(update, this.schema) ? update : checkUpdate(this.schema, update);
    checkSampleTotal(this.samples, checked.numSamples);
    const factor = this.opts.clipNorm === undefined ? 1 : clipFactor(checked.norm, this.opts.clipNorm);
    if (factor < 1) this.clippedCount++;
    const delta = [...this.schema.keys()].map((name) => {
      const x = checked.delta.get(name)!;
      if (factor === 1) return x.slice();
      const y = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = x[i]! * factor;
      return y;
    });
    this.stored.push({ delta, numSamples: checked.numSamples });
    this.samples += checked.numSamples;
    return checked;
  }

  /**
   * Runs the rule over all buffered updates and releases them.
   * @throws FedAvgError `EMPTY_AGGREGATE`, `NOT_ENOUGH_CLIENTS` (Krum: K ≤ 2f + 2 or m > K − f)
   */
  finish(): AggregateResult {
    if (this.done) throw new FedAvgError('ROUND_CLOSED', 'This aggregator has already produced its result.');
    const k = this.stored.length;
    if (k === 0) throw new FedAvgError('EMPTY_AGGREGATE', 'No update was aggregated.');
    const names = [...this.schema.keys()];
    const column = (t: number) => this.stored.map((u) => u.delta[t]!);
    const delta = new Map<string, Float32Array>();
    let selected: number[] | undefined;
    const opts = this.opts;
    if (opts.rule === 'trimmed-mean') {
      const trim = Math.floor((opts.trim ?? DEFAULT_TRIM_FRACTION) * k);
      for (const [t, name] of names.entries()) delta.set(name, trimmedMean(column(t), trim));
    } else if (opts.rule === 'median') {
      for (const [t, name] of names.entries()) delta.set(name, coordinateMedian(column(t)));
    } else {
      const f = opts.byzantine;
      const m = opts.select ?? 1;
      if (k <= 2 * f + 2 || m > k - f) {
        throw new FedAvgError('NOT_ENOUGH_CLIENTS', `Krum with f = ${f}, m = ${m} needs more updates.`, {
          details: `Got K = ${k}; Krum needs K > 2f + 2 = ${2 * f + 2} and m ≤ K − f.`,
          meta: { clients: k, byzantine: f, select: m },
        });
      }
      selected = selectLowest(
        krumScores(
          this.stored.map((u) => u.delta),
          f,
        ),
        m,
      );
      const chosen = selected.map((i) => this.stored[i]!);
      const n = chosen.reduce((s, u) => s + u.numSamples, 0);
      names.forEach((name, t) => {
        const out = new Float32Array(chosen[0]!.delta[t]!.length);
        for (let i = 0; i < out.length; i++) {
          let s = 0;
          for (const u of chosen) s += u.numSamples * u.delta[t]![i]!;
          out[i] = s / n;
        }
        delta.set(name, out);
      });
    }
    this.done = true;
    this.stored.length = 0;
    const result: AggregateResult = {
      rule: this.rule,
      delta,
      clients: k,
      numSamples: this.samples,
      clipped: this.clippedCount,
    };
    if (selected) result.selected = selected;
    return result;
  }
}
