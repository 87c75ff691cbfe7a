import { PROTOCOL_VERSION } from '../constants';
import { ProtocolError } from '../ProtocolError';
import type { Challenge } from './createChallenge';
import { ed25519 } from './ed25519';
import { helloMessage } from './helloMessage';
import { peerIdOf } from './identity';
import type { SeenNonces } from './SeenNonces';
import type { Hello } from './signHello';

/** A hello that passed {@link verifyHello}. */
export interface VerifiedHello {
  /** lowercase hex public key */
  peerId: string;
  publicKey: Uint8Array;
  roles: Hello['roles'];
  capabilities: Hello['capabilities'];
}

/**
 * Checks a `hello` against the challenge this connection sent (spec §6): version, then the signature
 * with RFC 8032 strict rules (canonical encodings, small-order keys rejected), then nonce freshness.
 * The body schema is checked by the caller (see `MessageRegistry.validate`).
 *
 * @throws ProtocolError `version_mismatch`, `bad_signature`, or `unauthorized` (nonce already used).
 */
export function verifyHello(hello: Hello, challenge: Challenge, seen?: SeenNonces): VerifiedHello {
  if (hello.version !== PROTOCOL_VERSION) {
    throw new ProtocolError('version_mismatch', `hello version ${hello.version} is not supported`, {
      details: `server speaks v${PROTOCOL_VERSION}`,
    });
  }
  let ok = false;
  try {
    ok = ed25519().verify(hello.sig, helloMessage(challenge.nonce, challenge.serverId), hello.pubkey, {
      zip215: false,
    });
  } catch (cause) {
    throw new ProtocolError('bad_signature', 'hello signature is malformed', { cause });
  }
  if (!ok) throw new ProtocolError('bad_signature', 'hello signature does not verify');
  if (seen !== undefined && !seen.consume(challenge.nonce)) {
    throw new ProtocolError('unauthorized', 'challenge nonce was already used');
  }
  return {
    peerId: peerIdOf(hello.pubkey),
    publicKey: hello.pubkey,
    roles: hello.roles,
    capabilities: hello.capabilities,
  };
}
