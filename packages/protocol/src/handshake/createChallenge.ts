import { randomBytes } from '@noble/hashes/utils.js';
import { NONCE_BYTES } from '../constants';
import type { MessageBodies } from '../messages/catalogue';

/** Body of a `challenge` message. */
export type Challenge = MessageBodies['challenge'];

/** A fresh `challenge` body: 32 random bytes from the platform CSPRNG and the server id (spec §6). */
export function createChallenge(
  serverId: string,
  random: (n: number) => Uint8Array = randomBytes,
): Challenge {
  return { nonce: random(NONCE_BYTES), serverId };
}
