import { HASH_BYTES, STATE_DOMAIN } from './constants';
import { sha256 } from './sha256';

const utf8 = new TextEncoder();
const PREFIX = utf8.encode(`${STATE_DOMAIN}\u0000`);

/** Digest of one state entry: sha256(UTF-8(key) ‖ 0x00 ‖ value) (spec §10). Keys are ASCII. */
export function entryDigest(key: string, value: Uint8Array): Uint8Array {
  const buf = new Uint8Array(key.length + 1 + value.length);
  for (let i = 0; i < key.length; i++) buf[i] = key.charCodeAt(i); // ASCII: one byte each
  buf.set(value, key.length + 1);
  return sha256(buf);
}

/** A state hash computed over pending changes, ready to be made current by {@link StateDigest.apply}. */
export interface PendingStateHash {
  readonly hash: Uint8Array;
  readonly keys: string[];
  readonly digests: Map<string, Uint8Array>;
}

/**
 * The state hash (spec §10): sha256("ailo-state-v1" ‖ 0x00 ‖ d_1 ‖ … ‖ d_n) where d_i are the
 * entry digests in ascending key order (keys are ASCII, so UTF-16 order is byte order). Entry
 * digests are cached, so a block costs one digest per changed entry plus one pass over the
 * sorted digests.
 */
export class StateDigest {
  private keys: string[] = [];
  private readonly digests = new Map<string, Uint8Array>();

  /** Number of entries. */
  get size(): number {
    return this.keys.length;
  }

  /** Hash of the current entries with `changes` (key → encoded value) applied; does not modify this. */
  preview(changes: ReadonlyMap<string, Uint8Array>): PendingStateHash {
    const changed = new Map<string, Uint8Array>();
    const added: string[] = [];
    for (const [k, v] of changes) {
      changed.set(k, entryDigest(k, v));
      if (!this.digests.has(k)) added.push(k);
    }
    added.sort(compareKeys);
    const keys = added.length === 0 ? this.keys : mergeSorted(this.keys, added);
    const buf = new Uint8Array(PREFIX.length + keys.length * HASH_BYTES);
    buf.set(PREFIX, 0);
    let off = PREFIX.length;
    for (const k of keys) {
      buf.set(changed.get(k) ?? this.digests.get(k)!, off);
      off += HASH_BYTES;
    }
    return { hash: sha256(buf), keys, digests: changed };
  }

  /** Makes a previewed hash current. `pending` must come from this digest's latest state. */
  apply(pending: PendingStateHash): void {
    this.keys = pending.keys;
    for (const [k, d] of pending.digests) this.digests.set(k, d);
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
