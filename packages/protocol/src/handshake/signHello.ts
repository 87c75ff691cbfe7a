import { PROTOCOL_VERSION } from '../constants';
import type { MessageBodies } from '../messages/catalogue';
import type { Challenge } from './createChallenge';
import { ed25519 } from './ed25519';
import { helloMessage } from './helloMessage';
import { createIdentity, type Identity } from './identity';

/** Body of a `hello` message. */
export type Hello = MessageBodies['hello'];

/** What a client declares about itself in `hello`. */
export interface HelloOptions {
  roles?: Hello['roles'];
  capabilities?: Hello['capabilities'];
  /** defaults to the protocol version of this package */
  version?: number;
}

/** The capabilities of a node that declares nothing. */
export const NO_CAPABILITIES: Hello['capabilities'] = { backends: [], memoryBytes: 0, layerSpans: [] };

/** Answers `challenge` with a `hello` signed by `identity` (spec §6). */
export function signHello(
  identity: Identity | Uint8Array,
  challenge: Challenge,
  options: HelloOptions = {},
): Hello {
  const id = identity instanceof Uint8Array ? createIdentity(identity) : identity;
  const sig = ed25519().sign(helloMessage(challenge.nonce, challenge.serverId), id.secretKey);
  return {
    pubkey: id.publicKey,
    sig,
    roles: options.roles ?? ['client'],
    capabilities: options.capabilities ?? NO_CAPABILITIES,
    version: options.version ?? PROTOCOL_VERSION,
  };
}
