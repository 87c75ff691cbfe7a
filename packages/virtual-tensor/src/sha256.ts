import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** Computes the lowercase-hex sha256 of some bytes. */
export type HashFn = (bytes: Uint8Array) => Promise<string>;

/** An incremental sha256. */
export interface Sha256Stream {
  update(bytes: Uint8Array): void;
  /** lowercase hex digest; the stream cannot be used afterwards */
  digestHex(): string;
}

/** Slice size for the pure-JS path: the hash yields to the event loop between slices. bytes */
const SLICE_BYTES = 4 * 1024 * 1024;

/** Streaming sha256 in portable JavaScript (`@noble/hashes`). */
export function createSha256(): Sha256Stream {
  const h = sha256.create();
  return {
    update: (bytes) => void h.update(bytes),
    digestHex: () => bytesToHex(h.digest()),
  };
}

/**
 * sha256 with `@noble/hashes`, fed in 4 MiB slices with a yield between them
 * so a browser tab stays responsive while a 100 MB chunk is verified.
 */
export const nobleSha256Hex: HashFn = async (bytes) => {
  const h = createSha256();
  for (let i = 0; i < bytes.length; i += SLICE_BYTES) {
    h.update(bytes.subarray(i, Math.min(bytes.length, i + SLICE_BYTES)));
    if (i + SLICE_BYTES < bytes.length) await new Promise<void>((r) => setTimeout(r, 0));
  }
  return h.digestHex();
};

/**
 * sha256 with WebCrypto when the context has `crypto.subtle` (native, off the
 * main thread), otherwise `@noble/hashes` (insecure contexts lack `subtle`).
 * Browser-safe default of {@link VirtualModel}; Node code may pass the faster
 * `nodeSha256Hex` from `@ailo/virtual-tensor/node`.
 */
export const sha256Hex: HashFn = async (bytes) => {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) return nobleSha256Hex(bytes);
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return bytesToHex(new Uint8Array(digest));
};
