import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import { ED25519_SECRET_KEY_BYTES } from '../constants';
import { ProtocolError } from '../ProtocolError';
import { ed25519 } from './ed25519';

/** A node identity: an Ed25519 key pair (RFC 8032). The public key is the node id. */
export interface Identity {
  /** 32-byte seed */
  secretKey: Uint8Array;
  /** 32-byte public key */
  publicKey: Uint8Array;
}

/** An identity from a 32-byte secret key, or a fresh random one. */
export function createIdentity(secretKey: Uint8Array = randomBytes(ED25519_SECRET_KEY_BYTES)): Identity {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SECRET_KEY_BYTES) {
    throw new ProtocolError('bad_request', 'secret key must be 32 bytes');
  }
  return { secretKey, publicKey: ed25519().getPublicKey(secretKey) };
}

/** Lowercase hex of a public key: how peers name each other (`welcome.peerId`). */
export function peerIdOf(publicKey: Uint8Array): string {
  return bytesToHex(publicKey);
}
