import type { Aggregator } from './Aggregator';
import { BufferedAggregator } from './BufferedAggregator';
import { checkSchema } from './checkSchema';
import { checkTensors } from './checkTensors';
import { checkUpdate } from './checkUpdate';
import { type AggregatorOptions, createAggregator } from './createAggregator';
import type { DpReport } from './differentialPrivacy';
import { FedAvgError, isFedAvgError } from './errors';
import { modelHash, nobleSha256, type Sha256Factory } from './modelHash';
import { FedAvgOptimizer } from './optimizers/FedAvgOptimizer';
import type { ServerOptimizer } from './optimizers/ServerOptimizer';
import type { CheckedUpdate, ClientUpdate, TensorSchema, Tensors } from './types';
import { checkHash, checkRoundNumber } from './updateFile';

/**
 * Lifecycle of a round: `open` (announced, nothing accepted yet) →
 * `collecting` (≥ 1 update accepted) → `aggregating` (while {@link Round.close}
 * computes the new model) → `closed` (result fixed).
 */
export type RoundPhase = 'open' | 'collecting' | 'aggregating' | 'closed';

/** What a validator sees besides the update itself. */
export interface ValidationContext {
  round: number;
  /** hash of M_t */
  base: string;
  clientId: string;
  numSamples: number;
  /** {@link modelHash} of Δ_k (what a client signs) */
  deltaHash: string;
  /** ‖Δ_k‖₂ */
  norm: number;
  /** M_t, e.g. to measure the loss of M_t − Δ_k on held-out data */
  model: Tensors;
  schema: TensorSchema;
  /** updates accepted before this one */
  accepted: number;
}

/** A validator's decision. `score` (finite) is kept with the contribution, e.g. for rewards. */
export type ValidationVerdict = { accept: true; score?: number } | { accept: false; reason: string };

/**
 * Pluggable check run on every structurally valid update before it counts
 * (Proof-of-Contribution plugs in here). It may be async; it must not modify
 * the update. A throw counts as a rejection (`VALIDATOR_FAILED`).
 */
export type UpdateValidator = (
  update: CheckedUpdate,
  ctx: ValidationContext,
) => ValidationVerdict | Promise<ValidationVerdict>;

/** One client's submission to a round, as received from any transport. */
export interface Submission {
  clientId: string;
  /** the round the client trained for */
  round: number;
  /** hash of the model the client trained from */
  base: string;
  update: ClientUpdate;
}

/** Acknowledgement of an accepted update. */
export interface SubmitReceipt {
  clientId: string;
  round: number;
  deltaHash: string;
  numSamples: number;
  score?: number;
  /** clock time when the update was received. ms */
  receivedAt: number;
  /** true when this answers an identical resubmission */
  resubmitted: boolean;
}

/** Why a round closed. */
export type CloseReason = 'deadline' | 'max-clients' | 'manual';

/** Options of a {@link Round}. */
export interface RoundOptions {
  /** t */
  round: number;
  /** M_t */
  model: Tensors;
  schema: TensorSchema;
  /** modelHash(M_t); computed when omitted (one SHA-256 pass over the model) */
  base?: string;
  /** clock time at which the round stops accepting updates and may close. ms */
  deadline: number;
  /** injected clock, default `Date.now`. ms */
  clock?: () => number;
  /** fewer accepted updates at close leave the model unchanged; default 1 */
  minClients?: number;
  /** the round closes as soon as this many are accepted; default ∞ (a buffered rule's maxClients) */
  maxClients?: number;
  /** aggregation rule, default streaming `fedavg` */
  aggregation?: AggregatorOptions;
  /** server step, default FedAvg with η = 1; reuse one instance across rounds to carry momentum */
  optimizer?: ServerOptimizer;
  validator?: UpdateValidator;
  /** compute modelHash of the new model (one SHA-256 pass); default true */
  hashResult?: boolean;
  /**
   * SHA-256 used for every model and delta hash (one pass over each submission); default
   * `@noble/hashes`. In Node pass `() => createHash('sha256')` from `node:crypto` for speed.
   */
  createHash?: Sha256Factory;
}

/** An accepted update as recorded by the round. */
export type Contribution = Omit<SubmitReceipt, 'resubmitted' | 'round'>;

interface ResultBase {
  round: number;
  closedBy: CloseReason;
  /** hash of M_t */
  base: string;
  clients: number;
  numSamples: number;
  contributions: Contribution[];
}

/** The new model M_{t+1} = optimizer(M_t, Δ̄). */
export interface RoundAggregated extends ResultBase {
  status: 'aggregated';
  model: Map<string, Float32Array>;
  /** modelHash(M_{t+1}), unless `hashResult: false` */
  modelHash?: string;
  /** Δ̄ */
  delta: Map<string, Float32Array>;
  clipped: number;
  dp?: DpReport;
  /** Krum: the clients whose updates were selected */
  selected?: string[];
}

/** The round closed without changing the model; `message` says why. */
export interface RoundUnchanged extends ResultBase {
  status: 'unchanged';
  reason: 'no-updates' | 'too-few-clients' | 'aggregation-failed';
  message: string;
  /** M_t itself */
  model: Tensors;
  modelHash: string;
  error?: FedAvgError;
}

/** Outcome of a round. */
export type RoundResult = RoundAggregated | RoundUnchanged;

interface Pending {
  deltaHash: string;
  numSamples: number;
  promise: Promise<SubmitReceipt>;
}

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(Number.isSafeInteger(v) || v === Number.POSITIVE_INFINITY) || v < 1) {
    throw new FedAvgError('INVALID_OPTION', `${name} must be a positive integer.`, { meta: { [name]: v } });
  }
  return v;
}

/**
 * A transport-agnostic FedAvg round. The owner feeds it {@link Submission}s
 * (from WebSocket, HTTP, files…), calls {@link tick} on a timer, and reads the
 * {@link RoundResult}. Guarantees:
 *
 * - an update counts only if it arrived before the deadline, names this round
 *   and base hash, passes every check and the validator, and the round was
 *   still collecting when validation finished; stragglers get `LATE_SUBMISSION`;
 * - one update per client: an identical resubmission returns the same receipt,
 *   a different one gets `DUPLICATE_SUBMISSION`;
 * - accepted updates are folded immediately (streaming rules: O(model) memory);
 * - the global model is never partially updated: the result holds a new model
 *   computed in full, or M_t unchanged with the reason.
 */
export class Round {
  readonly round: number;
  readonly base: string;
  readonly deadline: number;
  readonly minClients: number;
  readonly maxClients: number;
  private readonly model: Tensors;
  private readonly schema: TensorSchema;
  private readonly clock: () => number;
  private readonly aggregator: Aggregator;
  private readonly optimizer: ServerOptimizer;
  private readonly validator: UpdateValidator | undefined;
  private readonly hashResult: boolean;
  private readonly createHash: Sha256Factory;
  private state: RoundPhase = 'open';
  private readonly accepted = new Map<string, SubmitReceipt>();
  private readonly order: string[] = [];
  private readonly pending = new Map<string, Pending>();
  private outcome: RoundResult | undefined;

  /** @throws FedAvgError `INVALID_OPTION`, `INVALID_SCHEMA`, model/schema mismatches, `MEMORY_LIMIT` */
  constructor(opts: RoundOptions) {
    checkRoundNumber(opts.round);
    checkSchema(opts.schema);
    checkTensors(opts.schema, opts.model, undefined, 'Model');
    if (typeof opts.deadline !== 'number' || Number.isNaN(opts.deadline)) {
      throw new FedAvgError('INVALID_OPTION', 'deadline must be a clock time in ms.');
    }
    this.round = opts.round;
    this.schema = opts.schema;
    this.model = opts.model;
    this.deadline = opts.deadline;
    this.clock = opts.clock ?? Date.now;
    const agg = opts.aggregation ?? {};
    // submissions are checked (and hashed) before the validator runs, so a streaming fold never
    // needs to verify: one accumulator buffer is enough
    const streaming = agg.rule === undefined || agg.rule === 'fedavg';
    this.aggregator = createAggregator(
      opts.schema,
      streaming && !('fold' in agg && agg.fold !== undefined) ? { ...agg, fold: 'two-pass' } : agg,
    );
    const ruleMax =
      this.aggregator instanceof BufferedAggregator ? this.aggregator.maxClients : Number.POSITIVE_INFINITY;
    this.minClients = positiveInt(opts.minClients ?? 1, 'minClients');
    this.maxClients = positiveInt(opts.maxClients ?? ruleMax, 'maxClients');
    if (this.maxClients > ruleMax) {
      throw new FedAvgError('INVALID_OPTION', 'maxClients exceeds what the aggregation rule buffers.', {
        meta: { maxClients: this.maxClients, ruleMaxClients: ruleMax },
      });
    }
    if (this.minClients > this.maxClients) {
      throw new FedAvgError('INVALID_OPTION', 'minClients exceeds maxClients.', {
        meta: { minClients: this.minClients, maxClients: this.maxClients },
      });
    }
    this.optimizer = opts.optimizer ?? new FedAvgOptimizer();
    this.validator = opts.validator;
    this.hashResult = opts.hashResult ?? true;
    this.createHash = opts.createHash ?? nobleSha256;
    if (opts.base !== undefined) checkHash(opts.base);
    this.base = opts.base ?? modelHash(opts.model, opts.schema, this.createHash);
  }

  /** Current phase. */
  get phase(): RoundPhase {
    return this.state;
  }

  /** The result once closed. */
  get result(): RoundResult | undefined {
    return this.outcome;
  }

  /** Updates accepted so far. */
  get acceptedCount(): number {
    return this.accepted.size;
  }

  private refuseClosed(now: number): never {
    if (now >= this.deadline) {
      throw new FedAvgError(
        'LATE_SUBMISSION',
        `Round ${this.round} stopped accepting updates at its deadline.`,
        {
          meta: { round: this.round, deadline: this.deadline, now },
        },
      );
    }
    throw new FedAvgError('ROUND_CLOSED', `Round ${this.round} is no longer accepting updates.`, {
      meta: { round: this.round, phase: this.state },
    });
  }

  /**
   * Submits one client's update. Resolves with a receipt once the update is
   * checked, validated and folded in.
   * @throws FedAvgError `DUPLICATE_SUBMISSION`, `LATE_SUBMISSION`, `ROUND_CLOSED`, `WRONG_ROUND`,
   *   `WRONG_BASE`, any `checkUpdate` code, `REJECTED_BY_VALIDATOR`, `VALIDATOR_FAILED`
   */
  async submit(s: Submission): Promise<SubmitReceipt> {
    const prior = this.accepted.get(s.clientId) ?? this.pending.get(s.clientId);
    if (prior) return this.resubmission(s, prior);
    const now = this.clock();
    if (this.state === 'aggregating' || this.state === 'closed' || now >= this.deadline)
      this.refuseClosed(now);
    if (s.round !== this.round) {
      throw new FedAvgError('WRONG_ROUND', `Update is for round ${s.round}, this is round ${this.round}.`, {
        meta: { expected: this.round, actual: s.round },
      });
    }
    if (s.base !== this.base) {
      throw new FedAvgError('WRONG_BASE', 'Update was trained from another base model.', {
        details: `Expected base ${this.base}, got ${String(s.base)}.`,
        meta: { expected: this.base, actual: s.base },
      });
    }
    const checked = checkUpdate(this.schema, s.update);
    const deltaHash = modelHash(checked.delta, this.schema, this.createHash);
    const promise = this.admit(s.clientId, checked, deltaHash, now);
    this.pending.set(s.clientId, { deltaHash, numSamples: checked.numSamples, promise });
    try {
      return await promise;
    } finally {
      this.pending.delete(s.clientId);
    }
  }

  private async resubmission(s: Submission, prior: SubmitReceipt | Pending): Promise<SubmitReceipt> {
    let same = s.round === this.round && s.base === this.base && s.update.numSamples === prior.numSamples;
    if (same) {
      try {
        checkTensors(this.schema, s.update.delta, s.update.shapes);
        same = modelHash(s.update.delta, this.schema, this.createHash) === prior.deltaHash;
      } catch {
        same = false;
      }
    }
    if (!same) {
      throw new FedAvgError(
        'DUPLICATE_SUBMISSION',
        `Client "${s.clientId}" already submitted a different update.`,
        {
          meta: { clientId: s.clientId, round: this.round },
        },
      );
    }
    const receipt = 'promise' in prior ? await prior.promise : prior;
    return { ...receipt, resubmitted: true };
  }

  private async admit(
    clientId: string,
    checked: CheckedUpdate,
    deltaHash: string,
    receivedAt: number,
  ): Promise<SubmitReceipt> {
    let score: number | undefined;
    if (this.validator) {
      let verdict: ValidationVerdict;
      try {
        verdict = await this.validator(checked, {
          round: this.round,
          base: this.base,
          clientId,
          numSamples: checked.numSamples,
          deltaHash,
          norm: checked.norm,
          model: this.model,
          schema: this.schema,
          accepted: this.accepted.size,
        });
      } catch (cause) {
        throw new FedAvgError('VALIDATOR_FAILED', 'The update validator failed.', {
          cause,
          meta: { clientId },
        });
      }
      if (typeof verdict !== 'object' || verdict === null || typeof verdict.accept !== 'boolean') {
        throw new FedAvgError('VALIDATOR_FAILED', 'The update validator returned no verdict.', {
          meta: { clientId },
        });
      }
      if (!verdict.accept) {
        throw new FedAvgError('REJECTED_BY_VALIDATOR', 'The update was rejected by the validator.', {
          details: verdict.reason,
          meta: { clientId, reason: verdict.reason },
        });
      }
      if (verdict.score !== undefined && !Number.isFinite(verdict.score)) {
        throw new FedAvgError('VALIDATOR_FAILED', 'The update validator returned a non-finite score.', {
          meta: { clientId, score: verdict.score },
        });
      }
      score = verdict.score;
    }
    // the round may have closed while the validator ran
    if (this.state !== 'open' && this.state !== 'collecting') this.refuseClosed(this.clock());
    this.aggregator.add(checked);
    const receipt: SubmitReceipt = {
      clientId,
      round: this.round,
      deltaHash,
      numSamples: checked.numSamples,
      receivedAt,
      resubmitted: false,
    };
    if (score !== undefined) receipt.score = score;
    this.accepted.set(clientId, receipt);
    this.order.push(clientId);
    this.state = 'collecting';
    if (this.accepted.size >= this.maxClients) this.close('max-clients');
    return receipt;
  }

  /** Closes the round when its deadline has passed; returns the result once closed. */
  tick(): RoundResult | undefined {
    if (!this.outcome && this.clock() >= this.deadline) return this.close('deadline');
    return this.outcome;
  }

  /**
   * Stops accepting updates and computes the result (idempotent). In-flight
   * submissions are refused when their validation finishes.
   */
  close(reason: CloseReason = 'manual'): RoundResult {
    if (this.outcome) return this.outcome;
    this.state = 'aggregating';
    const contributions: Contribution[] = this.order.map((id) => {
      const { resubmitted: _r, round: _t, ...c } = this.accepted.get(id)!;
      return c;
    });
    const base = {
      round: this.round,
      closedBy: reason,
      base: this.base,
      clients: this.accepted.size,
      numSamples: this.aggregator.numSamples,
      contributions,
    };
    const unchanged = (
      why: RoundUnchanged['reason'],
      message: string,
      error?: FedAvgError,
    ): RoundUnchanged => {
      const r: RoundUnchanged = {
        ...base,
        status: 'unchanged',
        reason: why,
        message,
        model: this.model,
        modelHash: this.base,
      };
      if (error) r.error = error;
      return r;
    };
    let result: RoundResult;
    if (this.accepted.size === 0) {
      result = unchanged(
        'no-updates',
        `Round ${this.round} closed (${reason}) with no accepted update; the model is unchanged.`,
      );
    } else if (this.accepted.size < this.minClients) {
      result = unchanged(
        'too-few-clients',
        `Round ${this.round} closed (${reason}) with ${this.accepted.size} of the ${this.minClients} updates required; the model is unchanged.`,
      );
    } else {
      try {
        const agg = this.aggregator.finish();
        const model = this.optimizer.apply(this.model, this.schema, agg.delta);
        const r: RoundAggregated = {
          ...base,
          status: 'aggregated',
          model,
          delta: agg.delta,
          clipped: agg.clipped,
        };
        if (this.hashResult) r.modelHash = modelHash(model, this.schema, this.createHash);
        if (agg.dp) r.dp = agg.dp;
        if (agg.selected) r.selected = agg.selected.map((i) => this.order[i]!);
        result = r;
      } catch (err) {
        if (!isFedAvgError(err)) throw err;
        result = unchanged(
          'aggregation-failed',
          `Round ${this.round} could not aggregate: ${err.shortMessage}`,
          err,
        );
      }
    }
    this.outcome = result;
    this.state = 'closed';
    return result;
  }
}
