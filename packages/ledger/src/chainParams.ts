import { type Address, decodeAddress, encodeAddress } from './address';
import { MsgpackReader, MsgpackWriter } from './canonicalMsgpack';
import {
  BPS_DENOMINATOR,
  DEFAULT_ACTIVE_WINDOW_MS,
  DEFAULT_BURN_SHARE_BPS,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  GENESIS_DOMAIN,
  PUBLIC_KEY_BYTES,
} from './constants';
import { assertChainId, domainPrefix } from './domainPrefix';
import { isValidPublicKey } from './ed25519';
import { LedgerError } from './errors';
import { sha256 } from './sha256';

/**
 * Parameters fixed at genesis (spec §9). Every node of a chain must use the same ones; they
 * are hashed into the genesis hash that block 1 links to.
 */
export interface ChainParams {
  /** Chain id, part of every signed message: `[a-z0-9][a-z0-9-]{0,63}`. */
  chainId: string;
  /** Signs MINT, REVERSAL and every block. */
  coordinator: Address;
  /** Receives the unburned share of each fee. */
  operator: Address;
  /** Share of each fee burned, in basis points (0–10000). */
  burnShareBps: number;
  /** A node is active when it received a MINT within this many ms before the block time. */
  activeWindowMs: number;
  /** How far (ms) a transaction timestamp may lie after its block's time, and a block after the local clock. */
  maxFutureSkewMs: number;
}

/** Input of {@link createChainParams}; omitted fields take the spec defaults. */
export type ChainParamsInput = Pick<ChainParams, 'chainId' | 'coordinator'> & Partial<ChainParams>;

/**
 * Fills defaults (operator = coordinator, 50% burn, 24 h window, 2 min skew) and validates.
 * @throws {LedgerError} `INVALID_CHAIN_PARAMS`, `INVALID_CHAIN_ID` or `INVALID_ADDRESS`
 */
export function createChainParams(input: ChainParamsInput): ChainParams {
  const params: ChainParams = {
    chainId: input.chainId,
    coordinator: input.coordinator,
    operator: input.operator ?? input.coordinator,
    burnShareBps: input.burnShareBps ?? DEFAULT_BURN_SHARE_BPS,
    activeWindowMs: input.activeWindowMs ?? DEFAULT_ACTIVE_WINDOW_MS,
    maxFutureSkewMs: input.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS,
  };
  checkChainParams(params);
  return params;
}

function checkChainParams(p: ChainParams): void {
  assertChainId(p.chainId);
  for (const field of ['coordinator', 'operator'] as const) {
    if (!isValidPublicKey(decodeAddress(p[field]))) {
      throw new LedgerError('INVALID_CHAIN_PARAMS', `Chain parameter "${field}" is not a valid key.`);
    }
  }
  const ints: Array<[keyof ChainParams, number, number]> = [
    ['burnShareBps', 0, BPS_DENOMINATOR],
    ['activeWindowMs', 1, Number.MAX_SAFE_INTEGER],
    ['maxFutureSkewMs', 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [field, min, max] of ints) {
    const v = p[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new LedgerError('INVALID_CHAIN_PARAMS', `Chain parameter "${field}" is out of range.`, {
        details: `got ${String(v)}, expected an integer in [${min}, ${max}]`,
      });
    }
  }
}

/** Canonical MessagePack of the parameters (spec §9). */
export function encodeChainParams(p: ChainParams): Uint8Array {
  return new MsgpackWriter(160)
    .array(6)
    .str(p.chainId)
    .bin(decodeAddress(p.coordinator))
    .bin(decodeAddress(p.operator))
    .uint(p.burnShareBps)
    .uint(p.activeWindowMs)
    .uint(p.maxFutureSkewMs)
    .finish();
}

/** Inverse of {@link encodeChainParams}. @throws {LedgerError} */
export function decodeChainParams(bytes: Uint8Array): ChainParams {
  const r = new MsgpackReader(bytes);
  r.arrayExact(6);
  const params: ChainParams = {
    chainId: r.str(64),
    coordinator: encodeAddress(r.binExact(PUBLIC_KEY_BYTES)),
    operator: encodeAddress(r.binExact(PUBLIC_KEY_BYTES)),
    burnShareBps: r.safeUint(),
    activeWindowMs: r.safeUint(),
    maxFutureSkewMs: r.safeUint(),
  };
  r.expectEnd();
  checkChainParams(params);
  return params;
}

/** Genesis hash: sha256("ailo-genesis-v1" ‖ 0 ‖ chainId ‖ 0 ‖ encodeChainParams) (spec §9). */
export function genesisHash(p: ChainParams): Uint8Array {
  const prefix = domainPrefix(GENESIS_DOMAIN, p.chainId);
  const body = encodeChainParams(p);
  const msg = new Uint8Array(prefix.length + body.length);
  msg.set(prefix);
  msg.set(body, prefix.length);
  return sha256(msg);
}

/** True when two parameter sets are identical. */
export function sameChainParams(a: ChainParams, b: ChainParams): boolean {
  const x = encodeChainParams(a);
  const y = encodeChainParams(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
