import { type Address, addressKey, encodeAddress } from './address';
import { MsgpackReader, MsgpackWriter } from './canonicalMsgpack';
import { CONFIRMATIONS_REQUIRED, PUBLIC_KEY_BYTES } from './constants';
import { LedgerError } from './errors';
import type {
  Account,
  LedgerState,
  StateOverlay,
  Supply,
  TransferRecord,
  TransferStatus,
} from './ledgerState';

/**
 * State entries as key → canonical MessagePack value (spec §10). Keys are ASCII:
 * `a:<address>` account, `s:supply` supply, `t:<tx id>` transfer, `u:<username>` username.
 */

const STATUSES: readonly TransferStatus[] = ['PENDING', 'REPORTED', 'DISPUTED', 'CONFIRMED', 'REVERSED'];
/** Upper bound on reporters of one transfer when decoding (far above any real network). */
const MAX_REPORTERS = 1_000_000;

export const SUPPLY_KEY = 's:supply';
export const accountKey = (address: Address): string => `a:${address}`;
export const transferKey = (id: string): string => `t:${id}`;
export const usernameKey = (username: string): string => `u:${username}`;

/** `[balance, locked, lastNonce | nil, lastContributionAt | nil, username | nil]` */
export function encodeAccount(a: Account): Uint8Array {
  const w = new MsgpackWriter(64).array(5).uint(a.balance).uint(a.locked);
  if (a.lastNonce === null) w.nil();
  else w.uint(a.lastNonce);
  if (a.lastContributionAt === null) w.nil();
  else w.uint(a.lastContributionAt);
  if (a.username === null) w.nil();
  else w.str(a.username);
  return w.finish();
}

/** `[from, to, amount, status, height, [verifiers…], [reporters…]]`, addresses as 32-byte bin. */
export function encodeTransfer(t: TransferRecord): Uint8Array {
  const w = new MsgpackWriter(128 + 34 * (t.verifiers.length + t.reporters.length));
  w.array(7).bin(addressKey(t.from)).bin(addressKey(t.to)).uint(t.amount).str(t.status).uint(t.height);
  w.array(t.verifiers.length);
  for (const v of t.verifiers) w.bin(addressKey(v));
  w.array(t.reporters.length);
  for (const r of t.reporters) w.bin(addressKey(r));
  return w.finish();
}

/** `[minted, burned]` */
export function encodeSupply(s: Supply): Uint8Array {
  return new MsgpackWriter(24).array(2).uint(s.minted).uint(s.burned).finish();
}

/** Owner as 32-byte bin. */
export function encodeUsername(owner: Address): Uint8Array {
  return new MsgpackWriter(40).bin(addressKey(owner)).finish();
}

/** Changed entries of an overlay, encoded. */
export function overlayEntries(o: StateOverlay): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of o.accounts) out.set(accountKey(k), encodeAccount(v));
  for (const [k, v] of o.transfers) out.set(transferKey(k), encodeTransfer(v));
  for (const [k, v] of o.usernames) out.set(usernameKey(k), encodeUsername(v));
  if (o.supplyChanged) out.set(SUPPLY_KEY, encodeSupply(o.supply()));
  return out;
}

/** Every entry of a committed state, encoded. */
export function* stateEntries(s: LedgerState): Iterable<[string, Uint8Array]> {
  for (const [k, v] of s.accounts) yield [accountKey(k), encodeAccount(v)];
  for (const [k, v] of s.transfers) yield [transferKey(k), encodeTransfer(v)];
  for (const [k, v] of s.usernames) yield [usernameKey(k), encodeUsername(v)];
  yield [SUPPLY_KEY, encodeSupply(s.supply())];
}

function addresses(r: MsgpackReader, max: number): Address[] {
  const n = r.array(max);
  const out: Address[] = [];
  for (let i = 0; i < n; i++) out.push(encodeAddress(r.binExact(PUBLIC_KEY_BYTES)));
  return out;
}

/**
 * Loads one stored entry into a state (used when opening a store).
 * @throws {LedgerError} `STORE_CORRUPT` for an unknown key or a malformed value.
 */
export function loadStateEntry(state: LedgerState, key: string, value: Uint8Array): void {
  try {
    const r = new MsgpackReader(value);
    if (key.startsWith('a:')) {
      r.arrayExact(5);
      const account: Account = {
        balance: r.uint(),
        locked: r.uint(),
        lastNonce: r.peek() === 'nil' ? r.nil() : r.uint(),
        lastContributionAt: r.peek() === 'nil' ? r.nil() : r.safeUint(),
        username: r.peek() === 'nil' ? r.nil() : r.str(64),
      };
      state.setAccount(key.slice(2) as Address, account);
    } else if (key.startsWith('t:')) {
      r.arrayExact(7);
      const from = encodeAddress(r.binExact(PUBLIC_KEY_BYTES));
      const to = encodeAddress(r.binExact(PUBLIC_KEY_BYTES));
      const amount = r.uint();
      const status = r.str(16) as TransferStatus;
      if (!STATUSES.includes(status)) throw new Error(`status ${status}`);
      const height = r.safeUint();
      const verifiers = addresses(r, CONFIRMATIONS_REQUIRED);
      const reporters = addresses(r, MAX_REPORTERS);
      state.setTransfer(key.slice(2), { from, to, amount, status, height, verifiers, reporters });
    } else if (key.startsWith('u:')) {
      state.setUsername(key.slice(2), encodeAddress(r.binExact(PUBLIC_KEY_BYTES)));
    } else if (key === SUPPLY_KEY) {
      r.arrayExact(2);
      state.setSupply({ minted: r.uint(), burned: r.uint() });
    } else {
      throw new Error('unknown key');
    }
    r.expectEnd();
  } catch (cause) {
    throw new LedgerError('STORE_CORRUPT', 'Stored state entry is malformed.', { details: key, cause });
  }
}
