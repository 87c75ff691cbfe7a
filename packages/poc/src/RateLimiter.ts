import type { RateWindow } from './config';

/**
 * Attempt times per key for {@link checkRateLimit}. Times older than the longest window are
 * dropped on each record, so memory is O(keys × max).
 */
export class RateLimiter {
  private readonly attempts = new Map<string, number[]>();

  /** The recorded attempt times of `key` (ms), oldest first. */
  history(key: string): readonly number[] {
    return this.attempts.get(key) ?? [];
  }

  /** Records an attempt of `key` at `now` and prunes what no window can see anymore. */
  record(key: string, now: number, limit: RateWindow): void {
    const list = (this.attempts.get(key) ?? []).filter((t) => t > now - limit.windowMs);
    list.push(now);
    if (list.length > limit.max + 1) list.splice(0, list.length - limit.max - 1);
    this.attempts.set(key, list);
  }
}
