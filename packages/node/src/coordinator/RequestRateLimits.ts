import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Handler, type Peer, ProtocolError } from '@ailo/protocol';
import { NodeError } from '../errors';
import { toApiError } from '../http/apiError';
import { sendJson } from '../http/respond';
import type { AbuseLimits } from './AbuseLimits';
import { ipOf } from './ConnectionLimits';
import { TokenBuckets } from './TokenBucket';

/** API paths whose requests count against the inference rate. */
const INFERENCE_PATHS = new Set(['/v1/completions', '/v1/chat/completions']);

/**
 * Per-identity request rates (token buckets): message types such as
 * `update.submit` per authenticated public key, and completion requests on the
 * HTTP API per client IP (the API has no accounts). A request over the rate is
 * answered `rate_limited` (retryable; HTTP 429 with `Retry-After`) before its
 * handler runs, so a flood costs the coordinator a frame decode and no work.
 * Proof-of-Contribution's own attempt windows (`@ailo/poc` `RateLimiter`)
 * still apply to the updates that pass.
 */
export class RequestRateLimits {
  private readonly byType = new Map<string, TokenBuckets>();
  private readonly inference: TokenBuckets;
  /** requests refused, by message type or `http` */
  readonly refused = new Map<string, number>();

  constructor(readonly limits: AbuseLimits) {
    for (const [type, rate] of Object.entries(limits.requests)) this.byType.set(type, new TokenBuckets(rate));
    this.inference = new TokenBuckets(limits.inference);
  }

  /**
   * Makes every handler `peer` registers for a limited type (now or later)
   * take a token of `identity` first; without one the request fails with
   * `rate_limited` and the handler does not run.
   */
  guard(peer: Peer, identity: string): void {
    const handle = peer.handle.bind(peer);
    peer.handle = <T extends string>(type: T, handler: Handler<T>) => {
      const buckets = this.byType.get(type);
      if (!buckets) return handle(type, handler);
      const limited: Handler<T> = (body, context) => {
        const t = buckets.take(identity);
        if (!t.ok) {
          this.count(type);
          throw new ProtocolError('rate_limited', `${type} rate exceeded; retry in ${t.retryAfterMs} ms`, {
            details: `at most ${buckets.rate.burst} at once, ${buckets.rate.perSecond}/s`,
          });
        }
        return handler(body, context);
      };
      return handle(type, limited);
    };
  }

  /** Answers a completion request over its client's rate with 429 `rate_limited`; true if it did. */
  refuseHttp(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (req.method !== 'POST' || !INFERENCE_PATHS.has(url.pathname)) return false;
    const t = this.inference.take(ipOf(req.socket));
    if (t.ok) return false;
    this.count('http');
    const e = toApiError(
      new NodeError('rate_limited', `Too many completion requests; retry in ${t.retryAfterMs} ms`),
    );
    sendJson(res, e.status, e.body, { 'retry-after': String(Math.ceil(t.retryAfterMs / 1000)) });
    return true;
  }

  private count(key: string): void {
    this.refused.set(key, (this.refused.get(key) ?? 0) + 1);
  }
}
