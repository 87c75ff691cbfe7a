import * as ed from '@noble/ed25519';
import { type Address, encodeAddress } from './address';
import { SECRET_KEY_BYTES } from './constants';
import { ensureEd25519 } from './ed25519';
import { LedgerError } from './errors';

/** An Ed25519 identity: a wallet, a node, or the coordinator. */
export interface KeyPair {
  /** 32-byte RFC 8032 seed. Keep it secret. */
  secretKey: Uint8Array;
  /** 32-byte public key; the node's identity on the wire. */
  publicKey: Uint8Array;
  /** `ailo1…` address of the public key. */
  address: Address;
}

/** Creates a fresh key pair from the platform's secure random source. */
export function generateKeyPair(): KeyPair {
  ensureEd25519();
  return keyPairFromSecretKey(ed.utils.randomSecretKey());
}

/**
 * Rebuilds a key pair from its 32-byte seed.
 * @throws {LedgerError} `INVALID_KEY` when the seed is not 32 bytes.
 */
export function keyPairFromSecretKey(secretKey: Uint8Array): KeyPair {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) {
    throw new LedgerError('INVALID_KEY', 'A secret key is a 32-byte seed.', {
      details: `got ${secretKey instanceof Uint8Array ? `${secretKey.length} bytes` : typeof secretKey}`,
    });
  }
  ensureEd25519();
  const sk = Uint8Array.from(secretKey);
  const publicKey = ed.getPublicKey(sk);
  return { secretKey: sk, publicKey, address: encodeAddress(publicKey) };
}

/** Signs `message` with a 32-byte seed (RFC 8032, deterministic). */
export function signBytes(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  ensureEd25519();
  return ed.sign(message, secretKey);
}
