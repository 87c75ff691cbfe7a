import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryDigest, StateDigest } from '../src/index';

/** The spec's definition, computed from scratch: sha256(domain ‖ 0 ‖ digests in key order). */
function reference(state: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const keys = [...state.keys()].sort();
  const prefix = new TextEncoder().encode('ailo-state-v1\u0000');
  const buf = new Uint8Array(prefix.length + 32 * keys.length);
  buf.set(prefix);
  keys.forEach((k, i) => {
    buf.set(entryDigest(k, state.get(k)!), prefix.length + 32 * i);
  });
  return sha256(buf);
}

const key = fc.stringMatching(/^[a-z]:[a-z0-9]{0,6}$/);
const block = fc.array(fc.tuple(key, fc.uint8Array({ maxLength: 40 })), { maxLength: 12 });

describe('StateDigest (incremental state hash)', () => {
  it('equals the from-scratch hash after every block of changes, added and updated keys mixed', () => {
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 8 }), (blocks) => {
        const digest = new StateDigest();
        const state = new Map<string, Uint8Array>();
        for (const changes of blocks) {
          const m = new Map(changes);
          const pending = digest.preview(m);
          // preview alone changes nothing
          expect(digest.size).toBe(state.size);
          for (const [k, v] of m) state.set(k, v);
          expect(pending.hash).toEqual(reference(state));
          expect(pending.keys).toEqual([...state.keys()].sort());
          digest.apply(pending);
          expect(digest.size).toBe(state.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a discarded preview leaves the digest as it was', () => {
    const digest = new StateDigest();
    const first = digest.preview(new Map([['a:1', Uint8Array.of(1)]]));
    digest.apply(first);
    digest.preview(
      new Map([
        ['a:0', Uint8Array.of(2)],
        ['a:1', Uint8Array.of(3)],
      ]),
    );
    expect(digest.preview(new Map()).hash).toEqual(first.hash);
  });
});
