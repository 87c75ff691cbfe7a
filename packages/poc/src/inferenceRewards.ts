import type { Address } from '@ailo/ledger';
import type { PocConfig, RateWindow } from './config';
import { PocError } from './errors';
import type { RewardMint } from './rewardMints';

/** A distributed inference the coordinator saw complete. */
export interface CompletedInference {
  /** unique per request; printable ASCII, 1…100 characters */
  requestId: string;
  requester: Address;
  /** every node that served a span of the chain */
  servers: readonly Address[];
  /** ms */
  completedAt: number;
}

/** Read-only history for {@link inferenceRewards}: when rewards were paid. ms */
export interface InferenceHistory {
  /** times of completions by this requester that paid any reward */
  requesterTimes(requester: string): readonly number[];
  /** times this (requester, server) pair was paid */
  pairTimes(requester: string, server: string): readonly number[];
}

/** Why a server of a completion earns nothing. */
export type InferenceDenial = 'requester' | 'duplicate_server' | 'requester_limit' | 'pair_limit';

/** Outcome of {@link inferenceRewards}. */
export interface InferenceSettlement {
  mints: RewardMint[];
  denied: { server: Address; reason: InferenceDenial }[];
}

const REQUEST_ID = /^[\x21-\x7e]{1,100}$/;

function within(times: readonly number[], now: number, w: RateWindow): number {
  let n = 0;
  for (const t of times) if (t > now - w.windowMs && t <= now) n++;
  return n;
}

/**
 * Inference rewards (Design §PoC): `rewards.inference` to each distinct node that served the
 * completion, never to the requester; a requester can trigger at most `perRequester.max`
 * rewarded completions per window, and each (requester, server) pair is paid at most
 * `perPair.max` times per window, so two colluding identities cannot farm it. Pure over `history`.
 * @throws PocError `INVALID_INPUT` for a malformed request id or time
 */
export function inferenceRewards(
  c: CompletedInference,
  history: InferenceHistory,
  config: PocConfig,
): InferenceSettlement {
  if (typeof c.requestId !== 'string' || !REQUEST_ID.test(c.requestId)) {
    throw new PocError('INVALID_INPUT', 'requestId must be 1…100 printable ASCII characters.', {
      meta: { requestId: c.requestId },
    });
  }
  if (!Number.isFinite(c.completedAt))
    throw new PocError('INVALID_INPUT', 'completedAt must be a clock time in ms.');
  const now = c.completedAt;
  const out: InferenceSettlement = { mints: [], denied: [] };
  const requesterFull =
    within(history.requesterTimes(c.requester), now, config.inference.perRequester) >=
    config.inference.perRequester.max;
  const seen = new Set<string>();
  for (const server of c.servers) {
    if (server === c.requester) out.denied.push({ server, reason: 'requester' });
    else if (seen.has(server)) out.denied.push({ server, reason: 'duplicate_server' });
    else if (requesterFull) out.denied.push({ server, reason: 'requester_limit' });
    else if (
      within(history.pairTimes(c.requester, server), now, config.inference.perPair) >=
      config.inference.perPair.max
    ) {
      out.denied.push({ server, reason: 'pair_limit' });
    } else if (config.rewards.inference > 0n) {
      out.mints.push({
        to: server,
        amount: config.rewards.inference,
        reason: 'inference',
        reference: `infer/${c.requestId}`,
      });
    }
    seen.add(server);
  }
  return out;
}

/** Keeps the inference-reward history and applies {@link inferenceRewards}. */
export class InferenceRewarder implements InferenceHistory {
  private readonly requesters = new Map<string, number[]>();
  private readonly pairs = new Map<string, number[]>();

  constructor(private readonly config: PocConfig) {}

  requesterTimes(requester: string): readonly number[] {
    return this.requesters.get(requester) ?? [];
  }

  pairTimes(requester: string, server: string): readonly number[] {
    return this.pairs.get(`${requester} ${server}`) ?? [];
  }

  /** Settles one completion and records what was paid. */
  complete(c: CompletedInference): InferenceSettlement {
    const s = inferenceRewards(c, this, this.config);
    if (s.mints.length > 0) {
      this.push(this.requesters, c.requester, c.completedAt, this.config.inference.perRequester);
      for (const m of s.mints)
        this.push(this.pairs, `${c.requester} ${m.to}`, c.completedAt, this.config.inference.perPair);
    }
    return s;
  }

  private push(map: Map<string, number[]>, key: string, now: number, w: RateWindow): void {
    const list = (map.get(key) ?? []).filter((t) => t > now - w.windowMs);
    list.push(now);
    map.set(key, list);
  }
}
