import { accept, type CheckResult, reject } from './checkResult';
import type { RateWindow } from './config';

/** Which key a limit applies to. */
export type RateScope = 'identity' | 'connection' | 'ip';

/** What {@link checkRateLimit} counted. */
export interface RateValue {
  scope: RateScope;
  /** earlier attempts inside the window */
  count: number;
  max: number;
  /** ms */
  windowMs: number;
}

/**
 * Check 4a: a sliding-window limit. `attempts` are the clock times (ms) of this key's earlier
 * attempts; the new one at `now` is allowed when fewer than `limit.max` fall in
 * (now − windowMs, now]. Pure.
 * @returns `rate_limited`
 */
export function checkRateLimit(
  attempts: readonly number[],
  now: number,
  limit: RateWindow,
  scope: RateScope,
): CheckResult<RateValue> {
  let count = 0;
  for (const t of attempts) if (t > now - limit.windowMs && t <= now) count++;
  const value = { scope, count, max: limit.max, windowMs: limit.windowMs };
  if (count >= limit.max) {
    return reject(
      'rate_limited',
      `Too many submissions from this ${scope}: ${count} in the last ${limit.windowMs} ms (max ${limit.max}).`,
      value,
    );
  }
  return accept(value);
}

/**
 * Check 4b: per-round acceptance caps per connection and per IP. `accepted` is how many updates
 * from that key were already accepted this round. Pure.
 * @returns `rate_limited`
 */
export function checkAcceptedCap(accepted: number, max: number, scope: RateScope): CheckResult<RateValue> {
  const value = { scope, count: accepted, max, windowMs: 0 };
  if (accepted >= max) {
    return reject(
      'rate_limited',
      `This ${scope} already has ${accepted} accepted update(s) this round (max ${max}).`,
      value,
    );
  }
  return accept(value);
}
