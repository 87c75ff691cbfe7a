import { join } from 'node:path';
import { modelHash, Round, type TensorSchema, type Tensors } from '@ailo/fedavg';
import { type Address, encodeAddress } from '@ailo/ledger';
import type { WeightMap } from '@ailo/pipeline';
import type { ContributionJudge, ContributionReport, LossEvaluator, RewardMint } from '@ailo/poc';
import { ProtocolError } from '@ailo/protocol';
import type { Coordinator } from '../coordinator/Coordinator';
import { readCoordinatorState, writeCoordinatorState } from '../coordinator/coordinatorState';
import { modelPath, type ServedModel } from '../coordinator/ServedModel';
import { type WorkerEntry, workerAddress } from '../coordinator/WorkerRegistry';
import { NodeError } from '../errors';
import type { RewardLedger } from '../ledger/RewardLedger';
import { type Log, SILENT_LOG } from '../logging/log';
import { packWeights } from '../model/packWeights';
import { readPackedWeights } from '../model/readPackedWeights';
import { nodeSha256 } from '../nodeSha256';
import { nonceFromWire } from '../worker/core/TrainerCore';
import type { AcceptedUpdate, RejectedUpdate, RoundProgress, RoundReport } from './RoundReport';

/** How trainers train in a round. */
export interface RoundSettings {
  /** passes over the round's batches */
  epochs: number;
  /** sequences per batch */
  batchSize: number;
  /** tokens per sequence */
  seq: number;
  learningRate: number;
  /** optimizer steps per trainer per round */
  maxSteps: number;
  /** a round stops waiting for updates after this long. ms */
  deadlineMs: number;
  /** fewer accepted updates leave the model unchanged */
  minClients: number;
}

/** Defaults sized for the tiny demo model on 2 cores. */
export const DEFAULT_ROUND_SETTINGS: RoundSettings = {
  epochs: 1,
  batchSize: 8,
  seq: 64,
  learningRate: 2e-3,
  maxSteps: 6,
  deadlineMs: 10 * 60_000,
  minClients: 1,
};

/** Options of {@link FederatedRounds.open}. */
export interface FederatedRoundsOptions {
  coordinator: Coordinator;
  /** default: the coordinator's default model */
  modelId?: string;
  dataDir: string;
  ledger: RewardLedger;
  /** Proof-of-Contribution: its `validator` checks every update, `settle` computes the rewards */
  judge: ContributionJudge;
  /** scores each global model on `validation` for the round report */
  evaluator: LossEvaluator;
  validation: number[][];
  settings?: Partial<RoundSettings>;
  log?: Log;
  /** fault injection for tests: a throw here stops the round as a crash would, at that point */
  faults?: RoundFaults;
}

/** Crash points of a round, for tests of recovery. */
export interface RoundFaults {
  /** after the new model and the owed MINTs are saved, before any MINT is issued */
  beforeMint?(round: number): void | Promise<void>;
  /** after the MINTs are on the chain, before the debt is cleared */
  afterMint?(round: number): void | Promise<void>;
}

interface OpenRound {
  t: number;
  round: Round;
  base: string;
  expected: Map<string, WorkerEntry>;
  taskSentAt: Map<string, number>;
  reports: Map<string, ContributionReport>;
  failures: Map<string, RejectedUpdate>;
  done: () => void;
  progress: ((p: RoundProgress) => void) | undefined;
}

function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Federated rounds on the coordinator: announce the round and send each
 * connected trainer its task (where M_t is, how much to train), receive
 * signed updates, check each with Proof-of-Contribution inside a fedavg
 * `Round`, aggregate, pay accepted contributions with ledger MINTs, and
 * publish the new global model (workers serving it reload their spans).
 *
 * Persistence (`<dataDir>/coordinator.json` + the ledger): the new model is
 * packed and the round counter saved with the MINTs still owed; the MINTs
 * are then issued idempotently and the debt cleared. A restart at any point
 * resumes at the right round and never pays a contribution twice.
 */
export class FederatedRounds {
  private weights!: WeightMap;
  private open: OpenRound | undefined;
  private readonly log: Log;
  private readonly settings: RoundSettings;
  private readonly modelId: string;
  /** updates are judged one at a time: the judge scores candidates in one shared buffer */
  private judging: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: FederatedRoundsOptions) {
    this.log = opts.log ?? SILENT_LOG;
    this.settings = { ...DEFAULT_ROUND_SETTINGS, ...opts.settings };
    this.modelId = opts.modelId ?? opts.coordinator.modelIds()[0]!;
  }

  /** Loads M_t, pays MINTs a previous run still owed, and starts accepting updates on every connection. */
  static async open(opts: FederatedRoundsOptions): Promise<FederatedRounds> {
    const r = new FederatedRounds(opts);
    r.weights = await readPackedWeights(opts.coordinator.model(r.modelId));
    await r.settleDebt();
    opts.coordinator.stats.round = r.round;
    opts.coordinator.stats.ledgerHeight = opts.ledger.height;
    opts.coordinator.onPeer((w) => r.attach(w));
    return r;
  }

  /** Rounds completed so far (the next round's number). */
  get round(): number {
    return readCoordinatorState(this.opts.dataDir).rounds[this.modelId] ?? 0;
  }

  /** The current global model M_t. */
  get model(): WeightMap {
    return this.weights;
  }

  /** Connected trainers that have joined (their handlers are in place once they send `node.join`). */
  trainers(): WorkerEntry[] {
    return this.opts.coordinator.workers
      .list()
      .filter((w) => w.roles.includes('trainer') && w.want !== undefined && w.peer.isOpen);
  }

  /**
   * Runs one round with the trainers connected now.
   * @throws NodeError `unavailable` when no trainer is connected.
   */
  async runRound(progress?: (p: RoundProgress) => void): Promise<RoundReport> {
    const t0 = performance.now();
    const c = this.opts.coordinator;
    const served = c.model(this.modelId);
    const trainers = this.trainers();
    if (trainers.length === 0)
      throw new NodeError('unavailable', 'No trainer is connected; start workers with a data source');
    const t = this.round;
    const s = this.settings;
    const { tensors, schema } = this.asTensors(this.weights);
    const base = modelHash(tensors, schema, nodeSha256);
    const assigned = new Map(trainers.map((w) => [workerAddress(w), s.maxSteps * s.batchSize * s.epochs]));
    this.opts.judge.beginRound({ round: t, base, model: tensors, schema, assigned });
    const deadline = Date.now() + s.deadlineMs;
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const open: OpenRound = {
      t,
      round: new Round({
        round: t,
        model: tensors,
        schema,
        base,
        deadline,
        minClients: s.minClients,
        maxClients: trainers.length,
        validator: this.opts.judge.validator,
        createHash: nodeSha256,
      }),
      base,
      expected: new Map(trainers.map((w) => [w.id, w])),
      taskSentAt: new Map(),
      reports: new Map(),
      failures: new Map(),
      done,
      progress,
    };
    this.open = open;
    progress?.({ type: 'started', round: t, clients: trainers.length });
    for (const w of trainers) this.sendTask(w, served, open, deadline);
    const timer = setTimeout(done, s.deadlineMs);
    for (const w of trainers) w.peer.closed.then(() => this.checkDone(open));
    await finished;
    clearTimeout(timer);
    this.open = undefined;
    const result = open.round.close();
    progress?.({ type: 'aggregated', round: t });
    const settlement = this.opts.judge.settle(result);
    const before = await this.opts.evaluator.loss(tensors, this.opts.validation);
    let next = served;
    let after = before;
    if (result.status === 'aggregated') {
      const weights: WeightMap = new Map(
        [...result.model].map(([k, v]) => [k, { shape: [...schema.get(k)!], data: v }]),
      );
      after = await this.opts.evaluator.loss(result.model, this.opts.validation);
      next = await packWeights(
        join(this.opts.dataDir, 'models', this.modelId, `round-${t + 1}`),
        this.modelId,
        served.config,
        weights,
      );
      this.weights = weights;
    }
    const minted = await this.finish(t, settlement.mints, result.status === 'aggregated');
    if (next !== served) await c.publish(next);
    c.stats.round = t + 1;
    c.stats.ledgerHeight = this.opts.ledger.height;
    const report = this.report(
      open,
      settlement.reports,
      trainers,
      result.status,
      { before, after },
      minted,
      next.version,
      t0,
    );
    for (const w of trainers) {
      if (!w.peer.isOpen) continue;
      const rewards = report.accepted
        .filter((a) => a.worker === w.id)
        .map((a) => ({ pubkey: w.peer.hello!.publicKey, amount: Number(a.reward) }));
      w.peer
        .notify('round.result', {
          round: t,
          modelHash: hexToBytes(result.status === 'aggregated' ? (result.modelHash ?? base) : base),
          accepted: report.accepted.length,
          rejected: report.rejected.length,
          rewards,
        })
        .catch(() => {});
    }
    c.metrics.updates.inc({ outcome: 'accepted' }, report.accepted.length);
    for (const r of report.rejected) c.metrics.updates.inc({ outcome: r.reason });
    progress?.({ type: 'finished', report });
    return report;
  }

  /** Persists the new round with its debt, pays it idempotently, clears it. Returns base units minted. */
  private async finish(t: number, mints: readonly RewardMint[], aggregated: boolean): Promise<bigint> {
    const dir = this.opts.dataDir;
    const state = readCoordinatorState(dir);
    state.rounds[this.modelId] = t + 1;
    if (aggregated) state.latest[this.modelId] = join(dir, 'models', this.modelId, `round-${t + 1}`);
    state.pending = {
      model: this.modelId,
      round: t,
      fromHeight: this.opts.ledger.height + 1,
      mints: mints.map((m) => ({
        to: m.to,
        amount: m.amount.toString(),
        reason: m.reason,
        reference: m.reference,
      })),
    };
    writeCoordinatorState(dir, state);
    await this.opts.faults?.beforeMint?.(t);
    const { issued } = await this.opts.ledger.issue(mints, state.pending.fromHeight);
    await this.opts.faults?.afterMint?.(t);
    delete state.pending;
    writeCoordinatorState(dir, state);
    return issued.reduce((s, m) => s + m.amount, 0n);
  }

  /** Issues MINTs a previous run recorded as owed (skipping those already on the chain). */
  private async settleDebt(): Promise<void> {
    const state = readCoordinatorState(this.opts.dataDir);
    const p = state.pending;
    if (!p) return;
    const mints: RewardMint[] = p.mints.map((m) => ({
      to: m.to as Address,
      amount: BigInt(m.amount),
      reason: m.reason as RewardMint['reason'],
      reference: m.reference,
    }));
    const { issued } = await this.opts.ledger.issue(mints, p.fromHeight);
    this.log.warn(
      { round: p.round, owed: mints.length, issued: issued.length },
      'settled rewards owed by an interrupted round',
    );
    delete state.pending;
    writeCoordinatorState(this.opts.dataDir, state);
  }

  private sendTask(w: WorkerEntry, served: ServedModel, open: OpenRound, deadline: number): void {
    const s = this.settings;
    const manifestUrl = `${this.opts.coordinator.httpBaseFor(w)}${modelPath(served.id, served.version)}manifest.json`;
    const peer = w.peer;
    open.taskSentAt.set(w.id, Date.now());
    void (async () => {
      await peer.notify('round.announce', {
        round: open.t,
        model: served.id,
        baseHash: hexToBytes(open.base),
        deadline,
        minClients: s.minClients,
        maxClients: open.expected.size,
      });
      await peer.notify('round.model', {
        round: open.t,
        model: served.id,
        version: served.version,
        manifestUrl,
        chainId: this.opts.ledger.chainId,
        seq: s.seq,
        maxSteps: s.maxSteps,
      });
      await peer.notify('round.task', {
        round: open.t,
        taskId: `${open.t}-${w.id.slice(0, 16)}`,
        baseHash: hexToBytes(open.base),
        shard: 'local',
        epochs: s.epochs,
        batchSize: s.batchSize,
        learningRate: s.learningRate,
        deadline,
      });
    })().catch((e) => {
      open.failures.set(w.id, {
        worker: w.id,
        address: workerAddress(w),
        reason: 'failed',
        message: `task not delivered: ${(e as Error).message}`,
      });
      this.checkDone(open);
    });
  }

  /** Registers `update.submit` on a connection. */
  private attach(w: WorkerEntry): void {
    w.peer.handle('update.submit', async (body) => {
      const open = this.open;
      if (!open || body.round !== open.t)
        throw new ProtocolError('conflict', `round ${body.round} is not open`);
      if (bytesToHex(body.pubkey) !== w.id)
        throw new ProtocolError(
          'unauthorized',
          'updates are signed with the key of the connection that submits them',
        );
      const address = encodeAddress(body.pubkey);
      const nonce = nonceFromWire(body.nonce);
      if (nonce === undefined)
        throw new ProtocolError(
          'bad_request',
          'nonce must be a u64 counter (little-endian) padded with zeros',
        );
      const delta = new Map<string, Float32Array>();
      for (const [name, t] of Object.entries(body.delta)) {
        if (t.dtype !== 'f32')
          throw new ProtocolError('bad_request', `delta ${name} is ${t.dtype}; send f32`);
        delta.set(name, t.data);
      }
      const judged = this.judging.then(() =>
        this.opts.judge.submit(
          open.round,
          {
            update: { delta, numSamples: body.samples },
            round: body.round,
            base: bytesToHex(body.baseHash),
            clientId: address,
            proof: {
              claim: {
                round: body.round,
                base: bytesToHex(body.baseHash),
                deltaHash: bytesToHex(body.updateHash),
                numSamples: body.samples,
                nonce,
              },
              signer: address,
              signature: body.sig,
            },
          },
          {
            connection: w.id,
            clientId: address,
            ...(open.taskSentAt.has(w.id) ? { taskSentAt: open.taskSentAt.get(w.id)! } : {}),
          },
        ),
      );
      this.judging = judged.catch(() => undefined);
      const report = await judged;
      open.reports.set(w.id, report);
      open.progress?.({
        type: 'update',
        round: open.t,
        worker: w.id,
        accepted: report.accepted,
        reason: report.reason,
        done: open.reports.size + open.failures.size,
        total: open.expected.size,
      });
      this.checkDone(open);
      if (!report.accepted)
        throw new ProtocolError('bad_request', `update rejected: ${report.reason}: ${report.message}`);
      return {};
    });
  }

  /** Ends the wait once every trainer answered or left. */
  private checkDone(open: OpenRound): void {
    for (const [id, w] of open.expected) {
      if (open.reports.has(id) || open.failures.has(id)) continue;
      if (!w.peer.isOpen) {
        open.failures.set(id, {
          worker: id,
          address: workerAddress(w),
          reason: 'failed',
          message: 'disconnected before submitting',
        });
        continue;
      }
      return;
    }
    open.done();
  }

  private report(
    open: OpenRound,
    reports: readonly ContributionReport[],
    trainers: readonly WorkerEntry[],
    status: 'aggregated' | 'unchanged',
    validationLoss: { before: number; after: number },
    minted: bigint,
    version: string,
    t0: number,
  ): RoundReport {
    const byAddress = new Map(reports.map((r) => [r.clientId, r]));
    const accepted: AcceptedUpdate[] = [];
    const rejected: RejectedUpdate[] = [];
    for (const w of trainers) {
      const address = workerAddress(w);
      const r = byAddress.get(address);
      if (r?.accepted && r.rewardWithheld === null) {
        accepted.push({
          worker: w.id,
          address,
          samples: r.numSamples,
          lossBonus: r.lossBonus,
          reward: r.reward.total,
        });
      } else if (r) {
        rejected.push({
          worker: w.id,
          address,
          reason: r.rewardWithheld?.reason ?? r.reason ?? 'rejected',
          message: r.rewardWithheld?.message ?? r.message ?? '',
        });
      } else {
        rejected.push(
          open.failures.get(w.id) ?? {
            worker: w.id,
            address,
            reason: 'timeout',
            message: 'no update before the deadline',
          },
        );
      }
    }
    return {
      round: open.t,
      model: this.modelId,
      status,
      clients: trainers.length,
      accepted,
      rejected,
      validationLoss,
      minted,
      version,
      ledgerHeight: this.opts.ledger.height,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  private asTensors(w: WeightMap): { tensors: Tensors; schema: TensorSchema } {
    return {
      tensors: new Map([...w].map(([k, v]) => [k, v.data])),
      schema: new Map([...w].map(([k, v]) => [k, v.shape])),
    };
  }
}
