import { createHash } from 'node:crypto';
import type { HashFn, Sha256Stream } from '../sha256';

/** sha256 with `node:crypto` (OpenSSL): the fast path in Node. */
export const nodeSha256Hex: HashFn = async (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Streaming sha256 with `node:crypto`. */
export function createNodeSha256(): Sha256Stream {
  const h = createHash('sha256');
  return {
    update: (bytes) => void h.update(bytes),
    digestHex: () => h.digest('hex'),
  };
}
