import { HASH_BYTES, STATE_DOMAIN } from './constants';
import { sha256 } from './sha256';

const utf8 = new TextEncoder();
const PREFIX = utf8.encode(`${STATE_DOMAIN}\u0000`);

/** Digest of one state entry: sha256(UTF-8(key) ‖ 0x00 ‖ value) (spec §10). Keys are ASCII. */
export function entryDigest(key: string, value: Uint8Array): Uint8Array {
  const n = key.length + 1 + value.length;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, 2 * scratch.length));
  for (let i = 0; i < key.length; i++) scratch[i] = key.charCodeAt(i); // ASCII: one byte each
  scratch[key.length] = 0;
  scratch.set(value, key.length + 1);
  return sha256(scratch.subarray(0, n));
}

/** Reused input buffer of {@link entryDigest}; safe because a digest never keeps its input. */
let scratch = new Uint8Array(512);

/** A state hash computed over pending changes, ready to be made current by {@link StateDigest.apply}. */
export interface PendingStateHash {
  readonly hash: Uint8Array;
  /** Every key after the changes, ascending. */
  readonly keys: readonly string[];
  /** The hashed bytes: `"ailo-state-v1" ‖ 0x00 ‖ d_1 ‖ … ‖ d_n`, digests in key order. */
  readonly preimage: Uint8Array;
}

/**
 * The state hash (spec §10): sha256("ailo-state-v1" ‖ 0x00 ‖ d_1 ‖ … ‖ d_n) where d_i are the
 * entry digests in ascending key order (keys are ASCII, so UTF-16 order is byte order).
 * The sorted keys and that preimage are kept between blocks, so a block costs one digest per
 * changed entry, a binary search per changed key, one copy of the preimage (with a merge when
 * keys were added) and the final hash — no per-entry work for unchanged state.
 */
export class StateDigest {
  private keys: readonly string[] = [];
  private preimage: Uint8Array = PREFIX;

  /** Number of entries. */
  get size(): number {
    return this.keys.length;
  }

  /** Hash of the current entries with `changes` (key → encoded value) applied; does not modify this. */
  preview(changes: ReadonlyMap<string, Uint8Array>): PendingStateHash {
    const old = this.keys;
    const updated: Array<[number, Uint8Array]> = []; // index in `old`, new digest
    const added: Array<[string, Uint8Array]> = [];
    for (const [k, v] of changes) {
      const d = entryDigest(k, v);
      const at = indexOf(old, k);
      if (at >= 0) updated.push([at, d]);
      else added.push([k, d]);
    }
    let keys = old;
    let preimage: Uint8Array;
    if (added.length === 0) {
      preimage = this.preimage.slice();
      for (const [at, d] of updated) preimage.set(d, PREFIX.length + at * HASH_BYTES);
    } else {
      added.sort((a, b) => compareKeys(a[0], b[0]));
      const merged = new Array<string>(old.length + added.length);
      preimage = new Uint8Array(PREFIX.length + merged.length * HASH_BYTES);
      preimage.set(PREFIX, 0);
      // patch the old digests in place first, then interleave the added ones run by run
      const base = this.preimage.slice();
      for (const [at, d] of updated) base.set(d, PREFIX.length + at * HASH_BYTES);
      let i = 0;
      let out = 0;
      for (const [k, d] of added) {
        let j = i;
        while (j < old.length && old[j]! < k) j++;
        for (let x = i; x < j; x++) merged[out + x - i] = old[x]!;
        preimage.set(
          base.subarray(PREFIX.length + i * HASH_BYTES, PREFIX.length + j * HASH_BYTES),
          PREFIX.length + out * HASH_BYTES,
        );
        out += j - i;
        i = j;
        merged[out] = k;
        preimage.set(d, PREFIX.length + out * HASH_BYTES);
        out++;
      }
      for (let x = i; x < old.length; x++) merged[out + x - i] = old[x]!;
      preimage.set(base.subarray(PREFIX.length + i * HASH_BYTES), PREFIX.length + out * HASH_BYTES);
      keys = merged;
    }
    return { hash: sha256(preimage), keys, preimage };
  }

  /** Makes a previewed hash current. `pending` must come from this digest's latest state. */
  apply(pending: PendingStateHash): void {
    this.keys = pending.keys;
    this.preimage = pending.preimage;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of `key` in the ascending array `keys`, or -1. */
function indexOf(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
