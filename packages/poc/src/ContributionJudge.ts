import {
  type CheckedUpdate,
  type ClientUpdate,
  checkUpdate,
  decodeUpdateFile,
  FedAvgError,
  isFedAvgError,
  modelHash,
  nobleSha256,
  type Round,
  type RoundResult,
  type Sha256Factory,
  type Submission,
  type SubmitReceipt,
  type TensorSchema,
  type UpdateValidator,
  type ValidationContext,
  type ValidationVerdict,
} from '@ailo/fedavg';
import type { Address } from '@ailo/ledger';
import { applyDelta } from './applyDelta';
import { checkClaim } from './checkClaim';
import { checkConsensus } from './checkConsensus';
import { checkCopy, type SketchReference } from './checkCopy';
import { checkFinite } from './checkFinite';
import { checkNorm } from './checkNorm';
import { checkNumSamplesCap } from './checkNumSamplesCap';
import { checkPayloadSize, maxUpdateHeaderBytes } from './checkPayloadSize';
import { checkAcceptedCap, checkRateLimit } from './checkRateLimit';
import { checkReplay } from './checkReplay';
import type { Accept, CheckResult, RejectionCode } from './checkResult';
import { checkSignature } from './checkSignature';
import { checkImprovement, checkValidationLoss } from './checkValidationLoss';
import { type PocConfig, resolvePocConfig } from './config';
import { type ContributionProof, proofFromMetadata } from './contributionProof';
import {
  type CheckRecord,
  type ContributionReport,
  checkRecord,
  completeChecks,
  rejectedReport,
} from './contributionReport';
import { PocError } from './errors';
import { fedavgRejection } from './fedavgRejection';
import type {
  JudgeOptions,
  RoundSettlement,
  RoundSetup,
  SubmissionInput,
  SubmissionSource,
} from './judgeOptions';
import type { LossEvaluator } from './LossEvaluator';
import { RateLimiter } from './RateLimiter';
import { ReplayGuard } from './ReplayGuard';
import { roundMints } from './rewardMints';
import { roundSeed } from './roundSeed';
import type { RoundState } from './roundState';
import { type AcceptedContribution, settleRound } from './settleRound';
import { median, tensorNorm } from './tensorNorm';
import { fastBonus, trainingReward } from './trainingReward';
import { type SketchPlan, sketchPlan, sketchUpdate } from './updateSketch';
import { type TokenSequences, validationSample } from './validationSample';

/**
 * The Proof-of-Contribution judge of a coordinator. It keeps what the pure checks need across
 * submissions and rounds (nonces, update hashes, sketches, norms, rate-limit windows) and
 * exposes {@link ContributionJudge.validator}, the hook for `@ailo/fedavg`'s `Round`.
 *
 * Per round: {@link beginRound} → for each update {@link receive}/{@link expect} then
 * `round.submit` (or {@link submit}, which does both) → `round.close()` → {@link settle}.
 */
export class ContributionJudge {
  readonly config: PocConfig;
  private readonly chainId: string;
  private readonly secret: Uint8Array;
  private readonly evaluator: LossEvaluator;
  private readonly pool: TokenSequences;
  private readonly requireProof: boolean;
  private readonly clock: () => number;
  private readonly createHash: Sha256Factory;
  private readonly replay: ReplayGuard;
  private readonly rates = new RateLimiter();
  private readonly plans = new WeakMap<TensorSchema, SketchPlan>();
  private readonly recent: { round: number; sketches: SketchReference[] }[] = [];
  private lastGlobal: SketchReference | undefined;
  private previousMedian: number | undefined;
  private current: RoundState | undefined;

  /** The `UpdateValidator` to pass to `new Round({ validator })`. */
  readonly validator: UpdateValidator = (update, ctx) => this.validate(update, ctx);

  /** @throws PocError `INVALID_CONFIG`, `INVALID_INPUT` (secret), `INVALID_VALIDATION_SET` (empty pool) */
  constructor(opts: JudgeOptions) {
    this.config = resolvePocConfig(opts.config);
    roundSeed(opts.secret, 'check', 0);
    if (!Array.isArray(opts.validationPool) || opts.validationPool.length === 0) {
      throw new PocError('INVALID_VALIDATION_SET', 'The validation pool is empty.');
    }
    if (typeof opts.evaluator?.loss !== 'function')
      throw new PocError('INVALID_INPUT', 'evaluator must have a loss() method.');
    this.chainId = opts.chainId;
    this.secret = Uint8Array.from(opts.secret);
    this.evaluator = opts.evaluator;
    this.pool = opts.validationPool;
    this.requireProof = opts.requireProof ?? true;
    this.clock = opts.clock ?? Date.now;
    this.createHash = opts.createHash ?? nobleSha256;
    this.replay = new ReplayGuard(this.config.copy.replayMemory);
  }

  /** The round being judged, if any. */
  get round(): number | undefined {
    return this.current?.round;
  }

  /**
   * Opens a round: draws its secret validation sample and forgets the previous round's
   * per-round state (cross-round memory stays).
   * @throws PocError `INVALID_INPUT`
   */
  beginRound(setup: RoundSetup): void {
    if (!Number.isSafeInteger(setup.round) || setup.round < 0) {
      throw new PocError('INVALID_INPUT', 'round must be a non-negative integer.', {
        meta: { round: setup.round },
      });
    }
    let plan = this.plans.get(setup.schema);
    if (!plan) {
      plan = sketchPlan(setup.schema, this.secret, this.config.copy.sketchSize);
      this.plans.set(setup.schema, plan);
    }
    this.current = {
      round: setup.round,
      base: setup.base ?? modelHash(setup.model, setup.schema, this.createHash),
      model: setup.model,
      schema: setup.schema,
      modelNorm: tensorNorm(setup.model, setup.schema),
      assigned: setup.assigned,
      referenceNorm: setup.referenceNorm ?? this.previousMedian,
      sample: validationSample(this.pool, this.secret, setup.round, this.config.validation.sequences),
      plan,
      live: new Map(),
      acceptedNorms: [],
      consensusSum: new Float64Array(plan.size),
      consensusCount: 0,
      perConnection: new Map(),
      perIp: new Map(),
      pending: new Map(),
      reports: new Map(),
      accepted: new Map(),
    };
  }

  /** Mean validation loss of the round's base model on its secret sample (computed once per round). */
  baseLoss(): Promise<number> {
    const st = this.state();
    st.baseLoss ??= this.evaluator.loss(st.model, st.sample).then((l) => {
      if (!Number.isFinite(l))
        throw new PocError('EVALUATION_FAILED', `The base model's validation loss is ${l}.`);
      return l;
    });
    return st.baseLoss;
  }

  /**
   * Announces the proof and origin of an update about to be submitted under `clientId`, and
   * counts the attempt against the connection and IP rate limits (the identity's limit counts
   * only attempts whose signature verifies, so forgeries cannot exhaust a victim's quota).
   * The validator hook reads it back.
   */
  expect(clientId: string, proof: ContributionProof | undefined, source: SubmissionSource = {}): void {
    this.register(clientId, proof, source, this.sourceChecks(source), this.clock());
  }

  private register(
    clientId: string,
    proof: ContributionProof | undefined,
    source: SubmissionSource,
    preChecks: CheckRecord[],
    receivedAt: number,
  ): void {
    this.state().pending.set(clientId, { proof, preChecks, source, receivedAt });
  }

  /** Counts an attempt against the connection and IP windows (before anything is parsed). */
  private sourceChecks(source: SubmissionSource): CheckRecord[] {
    this.state();
    const now = this.clock();
    return (
      [
        ['rate_connection', source.connection, 'connection'],
        ['rate_ip', source.ip, 'ip'],
      ] as const
    ).map(([check, key, scope]) =>
      key === undefined ? { check, status: 'skipped', value: { scope } } : this.countAttempt(scope, key, now),
    );
  }

  private countAttempt(scope: 'identity' | 'connection' | 'ip', key: string, now: number): CheckRecord {
    const limit = this.config.rateLimits[scope];
    const k = `${scope} ${key}`;
    const record = checkRecord(`rate_${scope}`, checkRateLimit(this.rates.history(k), now, limit, scope));
    this.rates.record(k, now, limit);
    return record;
  }

  /**
   * Reads an update file as received from the network: refuses an oversized payload before
   * parsing, decodes it, reads its proof and {@link expect}s it. Returns the submission for
   * `round.submit`, or the report of a rejection.
   */
  receive(
    bytes: Uint8Array,
    source: SubmissionSource = {},
  ):
    | { ok: true; submission: Submission; proof: ContributionProof | undefined }
    | { ok: false; report: ContributionReport } {
    const st = this.state();
    const base = {
      clientId: source.clientId ?? 'anonymous',
      round: st.round,
      numSamples: 0,
      elapsedMs: null,
    };
    const receivedAt = this.clock();
    const sourceChecks = this.sourceChecks(source);
    const limited = sourceChecks.find((c) => c.status === 'fail');
    if (limited) {
      return {
        ok: false,
        report: this.file(rejectedReport(base, sourceChecks, limited.reason!, limited.message!)),
      };
    }
    const payload = checkPayloadSize(bytes.byteLength, st.schema);
    const checks = [...sourceChecks, checkRecord('payload', payload)];
    if (!payload.accepted)
      return { ok: false, report: this.file(rejectedReport(base, checks, payload.reason, payload.message)) };
    let file: ReturnType<typeof decodeUpdateFile>;
    let proof: ContributionProof | undefined;
    try {
      file = decodeUpdateFile(bytes, { maxHeaderBytes: maxUpdateHeaderBytes(st.schema) });
      proof = proofFromMetadata(file.metadata, file);
    } catch (err) {
      const proofError = err instanceof PocError;
      const reason: RejectionCode = proofError ? 'bad_signature' : 'malformed_update';
      const message = (err as Error).message.split('\n')[0]!;
      checks.push({
        check: proofError ? 'signature' : 'payload',
        status: 'fail',
        value: null,
        reason,
        message,
      });
      return { ok: false, report: this.file(rejectedReport(base, checks, reason, message)) };
    }
    const clientId = proof?.signer ?? base.clientId;
    this.register(clientId, proof, source, checks, receivedAt);
    const update: ClientUpdate = { delta: file.delta, numSamples: file.numSamples, shapes: file.shapes };
    return { ok: true, submission: { clientId, round: file.round, base: file.base, update }, proof };
  }

  /**
   * Receives and submits one update to a fedavg `Round` whose validator is this judge's hook,
   * and returns the judge's report (rejections by the round itself, such as a wrong base or
   * NaN values, are mapped to a {@link RejectionCode}).
   */
  async submit(
    round: Round,
    input: SubmissionInput,
    source: SubmissionSource = {},
  ): Promise<ContributionReport> {
    const s = this.admit(input, source);
    if ('report' in s) return s.report;
    let receipt: SubmitReceipt;
    try {
      receipt = await round.submit(s.submission);
    } catch (err) {
      return this.roundRejection(err, s.submission, source);
    }
    const report = this.state().reports.get(receipt.clientId);
    if (!report)
      throw new PocError('NO_ROUND', 'The round accepted an update without this judge as its validator.');
    return report;
  }

  /**
   * Judges one update without a fedavg `Round` (nothing is aggregated): the round and base
   * must be the open round's, the update must fit the schema, then every check runs. For
   * offline checks such as `ailo poc check`.
   */
  async check(input: SubmissionInput, source: SubmissionSource = {}): Promise<ContributionReport> {
    const st = this.state();
    const s = this.admit(input, source);
    if ('report' in s) return s.report;
    const { submission } = s;
    let checked: CheckedUpdate;
    try {
      if (submission.round !== st.round) {
        throw new FedAvgError(
          'WRONG_ROUND',
          `Update is for round ${submission.round}, this is round ${st.round}.`,
        );
      }
      if (submission.base !== st.base)
        throw new FedAvgError('WRONG_BASE', 'Update was trained from another base model.');
      checked = checkUpdate(st.schema, submission.update);
    } catch (err) {
      return this.roundRejection(err, submission, source);
    }
    const verdict = await this.validate(checked, {
      round: st.round,
      base: st.base,
      clientId: submission.clientId,
      numSamples: checked.numSamples,
      deltaHash: modelHash(checked.delta, st.schema, this.createHash),
      norm: checked.norm,
      model: st.model,
      schema: st.schema,
      accepted: st.accepted.size,
    });
    const report = st.reports.get(submission.clientId);
    if (!report)
      throw new PocError(
        'NO_ROUND',
        `No report for ${submission.clientId} (verdict ${JSON.stringify(verdict)}).`,
      );
    return report;
  }

  /** The latest report of `clientId` in the open round. */
  report(clientId: string): ContributionReport | undefined {
    return this.current?.reports.get(clientId);
  }

  /**
   * Closes the books of the round `result` came from: withdraws the reward of accepted
   * updates that turn out to be free riders against the round's final median norm, computes
   * every reward (budget split when configured) and the MINTs, and remembers the round's
   * sketches, median and global step for the copy and norm checks of later rounds.
   * Rewards are paid only when the round aggregated (the work was used).
   * @throws PocError `NO_ROUND` when `result` is not the open round's
   */
  settle(result: RoundResult): RoundSettlement {
    const st = this.state();
    if (result.round !== st.round || result.base !== st.base) {
      throw new PocError(
        'NO_ROUND',
        `The result is for round ${result.round}, the judge holds round ${st.round}.`,
      );
    }
    const finalMedian = median(st.acceptedNorms);
    const aggregated = result.status === 'aggregated';
    const entries: AcceptedContribution[] = [];
    for (const c of result.contributions) {
      const rec = st.accepted.get(c.clientId);
      const report = st.reports.get(c.clientId);
      if (!rec || !report || rec.deltaHash !== c.deltaHash) continue;
      let eligible = aggregated && rec.eligible;
      if (finalMedian !== undefined) {
        const norm = checkNorm(rec.norm, st.modelNorm, finalMedian, {
          ...this.config.norm,
          hi: Number.POSITIVE_INFINITY,
        });
        if (!norm.accepted) {
          eligible = false;
          report.rewardWithheld = { reason: norm.reason, message: `At settlement: ${norm.message}` };
        }
      }
      // against the final consensus: the mean of every other accepted update
      const others = st.consensusSum.map((x, i) => x - rec.sketch[i]!);
      const consensus = checkConsensus(rec.sketch, others, st.consensusCount - 1, this.config.consensus);
      if (eligible && !consensus.accepted) {
        eligible = false;
        report.rewardWithheld = { reason: consensus.reason, message: `At settlement: ${consensus.message}` };
      }
      const entry: AcceptedContribution = {
        recipient: c.clientId as Address,
        round: st.round,
        deltaHash: rec.deltaHash,
        numSamples: rec.numSamples,
        lossBonus: rec.lossBonus,
        eligible,
      };
      if (rec.elapsedMs !== undefined) entry.elapsedMs = rec.elapsedMs;
      entries.push(entry);
    }
    const lines = settleRound(entries, this.config);
    const paid = new Map(lines.map((l) => [l.recipient as string, l]));
    for (const [id, report] of st.reports) {
      const l = paid.get(id);
      report.reward = l
        ? { training: l.training, fastBonus: l.fastBonus, total: l.total }
        : { training: 0n, fastBonus: 0n, total: 0n };
    }
    this.remember(st, result, finalMedian);
    this.current = undefined;
    return { round: st.round, lines, mints: roundMints(lines), reports: [...st.reports.values()] };
  }

  private remember(st: RoundState, result: RoundResult, finalMedian: number | undefined): void {
    const sketches = [...st.accepted].map(([id, a]) => ({
      label: `${id} in round ${st.round}`,
      sketch: a.sketch,
    }));
    this.recent.push({ round: st.round, sketches });
    while (this.recent.length > this.config.copy.replayRounds) this.recent.shift();
    if (finalMedian !== undefined) this.previousMedian = finalMedian;
    if (result.status === 'aggregated') {
      this.lastGlobal = {
        label: `the global step of round ${st.round}`,
        sketch: sketchUpdate(result.delta, st.plan),
      };
    }
  }

  private state(): RoundState {
    if (!this.current) throw new PocError('NO_ROUND', 'No round is open: call beginRound() first.');
    return this.current;
  }

  private file(report: ContributionReport): ContributionReport {
    this.state().reports.set(report.clientId, report);
    return report;
  }

  private admit(
    input: SubmissionInput,
    source: SubmissionSource,
  ): { submission: Submission } | { report: ContributionReport } {
    if ('file' in input) {
      const r = this.receive(input.file, source);
      return r.ok ? { submission: r.submission } : { report: r.report };
    }
    const clientId = input.proof?.signer ?? input.clientId ?? source.clientId ?? 'anonymous';
    this.expect(clientId, input.proof, source);
    return { submission: { clientId, round: input.round, base: input.base, update: input.update } };
  }

  private roundRejection(err: unknown, s: Submission, source: SubmissionSource): ContributionReport {
    const st = this.state();
    if (isFedAvgError(err, 'REJECTED_BY_VALIDATOR')) {
      const report = st.reports.get(s.clientId);
      if (report) return report;
    }
    const reason = fedavgRejection(err);
    if (!reason) throw err;
    const message = (err as FedAvgError).shortMessage;
    const pending = st.pending.get(s.clientId);
    st.pending.delete(s.clientId);
    const numSamples = typeof s.update.numSamples === 'number' ? s.update.numSamples : 0;
    const elapsed =
      pending && source.taskSentAt !== undefined ? pending.receivedAt - source.taskSentAt : null;
    const checks = [...(pending?.preChecks ?? [])];
    checks.push({
      check: reason === 'non_finite' ? 'finite' : 'claim',
      status: 'fail',
      value: null,
      reason,
      message,
    });
    // an identical resubmission's earlier report stays the one on file
    if (reason === 'duplicate_submission')
      return rejectedReport(
        { clientId: s.clientId, round: st.round, numSamples, elapsedMs: elapsed },
        checks,
        reason,
        message,
      );
    return this.file(
      rejectedReport(
        { clientId: s.clientId, round: st.round, numSamples, elapsedMs: elapsed },
        checks,
        reason,
        message,
      ),
    );
  }

  /** The validator hook: every check, cheapest first; the held-out loss only for updates that passed the rest. */
  private async validate(update: CheckedUpdate, ctx: ValidationContext): Promise<ValidationVerdict> {
    const st = this.current;
    if (!st || st.round !== ctx.round || st.base !== ctx.base) {
      return { accept: false, reason: 'validation_failed: the judge holds no state for this round' };
    }
    const cfg = this.config;
    const pending = st.pending.get(ctx.clientId);
    st.pending.delete(ctx.clientId);
    const receivedAt = pending?.receivedAt ?? this.clock();
    const taskSentAt = pending?.source.taskSentAt;
    const elapsedMs = taskSentAt === undefined ? undefined : receivedAt - taskSentAt;
    const checks: CheckRecord[] = [...(pending?.preChecks ?? [])];
    const head = {
      clientId: ctx.clientId,
      round: ctx.round,
      numSamples: ctx.numSamples,
      elapsedMs: elapsedMs ?? null,
    };
    const fail = (reason: RejectionCode, message: string): ValidationVerdict => {
      if (sketch && st.live.get(ctx.clientId)?.sketch === sketch) st.live.delete(ctx.clientId);
      st.reports.set(ctx.clientId, rejectedReport(head, checks, reason, message));
      return { accept: false, reason: `${reason}: ${message}` };
    };
    const run = <V>(name: CheckRecord['check'], r: CheckResult<V>): r is Accept<V> => {
      checks.push(checkRecord(name, r));
      return r.accepted;
    };
    let sketch: Float32Array | undefined;
    const firstFail = checks.find((c) => c.status === 'fail');
    if (firstFail) return fail(firstFail.reason!, firstFail.message!);

    // check 1: signature, then the identity's rate limit, claim, replay
    const proof = pending?.proof;
    if (!proof) {
      if (this.requireProof) {
        checks.push({
          check: 'signature',
          status: 'fail',
          value: null,
          reason: 'missing_proof',
          message: 'No signed proof came with the update.',
        });
        return fail('missing_proof', 'No signed proof came with the update.');
      }
      checks.push({ check: 'signature', status: 'skipped', value: 'no proof' });
    } else {
      const sig = checkSignature(proof, this.chainId);
      if (!run('signature', sig)) return fail(sig.reason, sig.message);
    }
    const identity = this.countAttempt('identity', ctx.clientId, receivedAt);
    checks.push(identity);
    if (identity.status === 'fail') return fail(identity.reason!, identity.message!);
    if (!proof) {
      for (const c of ['claim', 'replay'] as const)
        checks.push({ check: c, status: 'skipped', value: 'no proof' });
    } else {
      const claim = checkClaim(proof, {
        clientId: ctx.clientId,
        round: ctx.round,
        base: ctx.base,
        deltaHash: ctx.deltaHash,
        numSamples: ctx.numSamples,
      });
      if (!run('claim', claim)) return fail(claim.reason, claim.message);
      const replay = checkReplay(
        { signer: proof.signer, nonce: proof.claim.nonce, deltaHash: ctx.deltaHash, round: ctx.round },
        this.replay,
      );
      this.replay.record(proof.signer, proof.claim.nonce, ctx.deltaHash, ctx.round);
      if (!run('replay', replay)) return fail(replay.reason, replay.message);
    }

    // check 4: n_k cap
    const cap = checkNumSamplesCap(ctx.numSamples, st.assigned?.get(ctx.clientId), cfg.maxNumSamples);
    if (!run('num_samples', cap)) return fail(cap.reason, cap.message);

    // check 2: values and norm
    const finite = checkFinite(update.delta, st.schema);
    if (!run('finite', finite)) return fail(finite.reason, finite.message);
    const reference =
      st.acceptedNorms.length >= cfg.norm.minReference ? median(st.acceptedNorms) : st.referenceNorm;
    const norm = checkNorm(ctx.norm, st.modelNorm, reference, cfg.norm);
    if (!run('norm', norm)) return fail(norm.reason, norm.message);

    // check 5: copies of this round's submissions, recent rounds' updates, the last global step
    sketch = sketchUpdate(update.delta, st.plan);
    const refs: SketchReference[] = [...st.live].filter(([id]) => id !== ctx.clientId).map(([, r]) => r);
    for (const r of this.recent) refs.push(...r.sketches);
    if (this.lastGlobal) refs.push(this.lastGlobal);
    const copy = checkCopy(sketch, refs, cfg.copy.maxCosine);
    st.live.set(ctx.clientId, { label: `submission of ${ctx.clientId}`, sketch });
    if (!run('copy', copy)) return fail(copy.reason, copy.message);
    const consensus = checkConsensus(sketch, st.consensusSum, st.consensusCount, cfg.consensus);
    if (!run('consensus', consensus)) return fail(consensus.reason, consensus.message);

    const capCheck = (): CheckResult<unknown> => {
      const src = pending?.source ?? {};
      if (src.connection !== undefined) {
        const c = checkAcceptedCap(
          st.perConnection.get(src.connection) ?? 0,
          cfg.rateLimits.maxAcceptedPerConnection,
          'connection',
        );
        if (!c.accepted) return c;
      }
      if (src.ip !== undefined)
        return checkAcceptedCap(st.perIp.get(src.ip) ?? 0, cfg.rateLimits.maxAcceptedPerIp, 'ip');
      return { accepted: true, value: null };
    };
    const early = capCheck();
    if (!early.accepted) {
      run('accepted_cap', early);
      return fail(early.reason, early.message);
    }

    // check 3: held-out validation of M_t − scale · Δ_k
    let loss: ReturnType<typeof checkValidationLoss>;
    try {
      const baseLoss = await this.baseLoss();
      st.scratch = applyDelta(st.model, update.delta, st.schema, cfg.validation.stepScale, st.scratch);
      const candidate = await this.evaluator.loss(st.scratch, st.sample);
      loss = checkValidationLoss(baseLoss, candidate, cfg.validation);
    } catch (err) {
      const message = `The validation could not run: ${(err as Error).message?.split('\n')[0]}`;
      checks.push({ check: 'validation', status: 'fail', value: null, reason: 'validation_failed', message });
      return fail('validation_failed', message);
    }
    // acceptance caps again: other updates may have been accepted while this one was evaluated
    const late = capCheck();
    if (!late.accepted) {
      run('accepted_cap', late);
      return fail(late.reason, late.message);
    }
    run('accepted_cap', late);
    if (!run('validation', loss)) return fail(loss.reason, loss.message);

    const improvement = checkImprovement(loss.value, cfg.validation);
    const eligible = improvement.accepted;
    const lossBonus = eligible ? loss.value.lossBonus : 0;
    const src = pending?.source ?? {};
    if (src.connection !== undefined)
      st.perConnection.set(src.connection, (st.perConnection.get(src.connection) ?? 0) + 1);
    if (src.ip !== undefined) st.perIp.set(src.ip, (st.perIp.get(src.ip) ?? 0) + 1);
    st.acceptedNorms.push(ctx.norm);
    for (let i = 0; i < sketch.length; i++) st.consensusSum[i]! += sketch[i]!;
    st.consensusCount++;
    st.accepted.set(ctx.clientId, {
      eligible,
      norm: ctx.norm,
      deltaHash: ctx.deltaHash,
      numSamples: ctx.numSamples,
      lossBonus,
      elapsedMs,
      sketch: sketch!,
    });
    const training = eligible ? trainingReward(ctx.numSamples, lossBonus, cfg.rewards.baseRate) : 0n;
    const fast = fastBonus(elapsedMs, eligible, cfg.rewards);
    const score = eligible ? ctx.numSamples * (1 + lossBonus) : 0;
    st.reports.set(ctx.clientId, {
      ...head,
      accepted: true,
      reason: null,
      message: null,
      checks: completeChecks(checks),
      lossBonus,
      score,
      reward: { training, fastBonus: fast, total: training + fast },
      rewardWithheld: improvement.accepted
        ? null
        : { reason: improvement.reason, message: improvement.message },
    });
    return { accept: true, score };
  }
}
