import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';

/** `@noble/ed25519` with its synchronous SHA-512 set (done on first use, not at import). */
export function ed25519(): typeof ed {
  if (ed.hashes.sha512 === undefined) ed.hashes.sha512 = sha512;
  return ed;
}
