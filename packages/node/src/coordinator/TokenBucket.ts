import { MAX_RATE_KEYS } from '../constants';

/** A rate: at most `burst` at once, refilled at `perSecond`. */
export interface Rate {
  /** tokens a full bucket holds */
  burst: number;
  /** tokens added per second */
  perSecond: number;
}

/** Outcome of {@link TokenBuckets.take}. */
export type Take = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** ms, the clock passed to `take` */
  at: number;
}

/**
 * One token bucket per key (an identity, an IP address). A key's bucket starts
 * full; each request takes one token. Unlike a sliding window it lets a quiet
 * client burst, and its state is O(1) per key. Full buckets are dropped when
 * more than {@link MAX_RATE_KEYS} keys are held, so memory stays bounded.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly rate: Rate) {}

  /** Takes a token of `key` at `now` (ms), or says how long until one is free. */
  take(key: string, now = Date.now()): Take {
    const { burst, perSecond } = this.rate;
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) * perSecond) / 1000);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / perSecond) };
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_RATE_KEYS) this.prune(now);
    return { ok: true };
  }

  /** Keys held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    const { burst, perSecond } = this.rate;
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * perSecond) / 1000 >= burst) this.buckets.delete(k);
    }
  }
}
