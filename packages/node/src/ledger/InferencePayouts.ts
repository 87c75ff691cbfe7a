import type { Address } from '@ailo/ledger';
import { InferenceRewarder, type PocConfig, type RewardMint } from '@ailo/poc';
import { type Log, SILENT_LOG } from '../logging/log';
import type { RewardLedger } from './RewardLedger';

/** Delay before pending inference rewards are written as one block. ms */
export const INFERENCE_FLUSH_MS = 1000;

/** A distributed generation the coordinator completed for a requester. */
export interface ServedCompletion {
  /** unique per request (the API's completion id) */
  requestId: string;
  /** who asked: an authenticated node's address, or the coordinator's own for anonymous HTTP clients */
  requester: Address;
  /** addresses of the workers of the final chain, in hop order */
  servers: readonly Address[];
}

/**
 * Pays `rewards.inference` to each worker that served a completed distributed
 * generation (Design §PoC), through {@link InferenceRewarder}'s per-requester
 * and per-pair limits. Mints are batched into one block per
 * {@link INFERENCE_FLUSH_MS}; the reference `infer/<request id>` makes a
 * repeated flush after a crash issue nothing twice.
 *
 * The rate-limit history lives in memory: a restart forgets it, so at most one
 * more window's worth of rewards can be paid after a restart.
 */
export class InferencePayouts {
  private readonly rewarder: InferenceRewarder;
  private pending: RewardMint[] = [];
  private fromHeight: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: RewardLedger,
    config: PocConfig,
    private readonly log: Log = SILENT_LOG,
    private readonly flushMs = INFERENCE_FLUSH_MS,
  ) {
    this.rewarder = new InferenceRewarder(config);
    this.fromHeight = ledger.height;
  }

  /** Settles one completion; returns its mints, which are written at the next flush. */
  record(c: ServedCompletion, now = Date.now()): RewardMint[] {
    const s = this.rewarder.complete({ ...c, completedAt: now });
    for (const d of s.denied)
      this.log.debug({ request: c.requestId, server: d.server, reason: d.reason }, 'inference unpaid');
    if (s.mints.length === 0) return s.mints;
    if (this.pending.length === 0) this.fromHeight = this.ledger.height;
    this.pending.push(...s.mints);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
    return s.mints;
  }

  /** Writes pending mints now (one block); resolves when they are on the chain. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const mints = this.pending;
    const from = this.fromHeight;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (mints.length === 0) return;
      try {
        const { issued } = await this.ledger.issue(mints, from);
        this.log.info({ mints: issued.length }, 'inference rewards issued');
      } catch (e) {
        this.log.error({ err: (e as Error).message, mints: mints.length }, 'cannot issue inference rewards');
      }
    });
    return this.flushing;
  }
}
