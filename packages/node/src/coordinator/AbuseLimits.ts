import {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_INFERENCE_BURST,
  DEFAULT_INFERENCE_RATE,
  DEFAULT_LEDGER_BURST,
  DEFAULT_LEDGER_RATE,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_SUBMISSION_BURST,
  DEFAULT_SUBMISSION_RATE,
} from '../constants';
import { NodeError } from '../errors';
import type { Rate } from './TokenBucket';

/** What the coordinator admits from one address or identity. */
export interface AbuseLimits {
  /** a connection without a complete HTTP request or signed hello after this is closed. ms */
  handshakeTimeoutMs: number;
  /** open TCP connections from one IP address; more are refused with `rate_limited` */
  maxConnectionsPerIp: number;
  /** per authenticated identity, by message type (e.g. `update.submit`); other types are not limited */
  requests: Record<string, Rate>;
  /** per client IP: `POST /v1/completions` and `/v1/chat/completions` */
  inference: Rate;
}

/** Partial limits: `requests` entries replace the defaults of the same message type. */
export type AbuseLimitsInput = Partial<Omit<AbuseLimits, 'requests' | 'inference'>> & {
  requests?: Record<string, Partial<Rate>>;
  inference?: Partial<Rate>;
};

const LEDGER_RATE: Rate = { burst: DEFAULT_LEDGER_BURST, perSecond: DEFAULT_LEDGER_RATE };

/** The defaults (see constants.ts). */
export const DEFAULT_ABUSE_LIMITS: Readonly<AbuseLimits> = Object.freeze({
  handshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
  requests: {
    'update.submit': { burst: DEFAULT_SUBMISSION_BURST, perSecond: DEFAULT_SUBMISSION_RATE },
    'tx.submit': LEDGER_RATE,
    'tx.verify': LEDGER_RATE,
    'tx.report': LEDGER_RATE,
  },
  inference: { burst: DEFAULT_INFERENCE_BURST, perSecond: DEFAULT_INFERENCE_RATE },
});

function positive(name: string, v: number, integer: boolean): number {
  const ok = integer ? Number.isSafeInteger(v) && v >= 1 : Number.isFinite(v) && v > 0;
  if (!ok)
    throw new NodeError(
      'bad_request',
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`,
    );
  return v;
}

function rate(name: string, base: Rate, r: Partial<Rate> = {}): Rate {
  return {
    burst: positive(`${name}.burst`, r.burst ?? base.burst, true),
    perSecond: positive(`${name}.perSecond`, r.perSecond ?? base.perSecond, false),
  };
}

/**
 * Fills defaults and checks values.
 * @throws NodeError `bad_request` naming the first value that is not a positive number
 *   (integers for the timeout, the connection count and bursts).
 */
export function resolveAbuseLimits(input: AbuseLimitsInput = {}): AbuseLimits {
  const d = DEFAULT_ABUSE_LIMITS;
  const requests: Record<string, Rate> = {};
  for (const [type, r] of Object.entries({ ...d.requests, ...input.requests }))
    requests[type] = rate(`requests.${type}`, d.requests[type] ?? { burst: 1, perSecond: 1 }, r);
  return {
    handshakeTimeoutMs: positive(
      'handshakeTimeoutMs',
      input.handshakeTimeoutMs ?? d.handshakeTimeoutMs,
      true,
    ),
    maxConnectionsPerIp: positive(
      'maxConnectionsPerIp',
      input.maxConnectionsPerIp ?? d.maxConnectionsPerIp,
      true,
    ),
    requests,
    inference: rate('inference', d.inference, input.inference),
  };
}
