import { DEFAULT_HELLO_TIMEOUT_MS } from '../constants';
import type { Challenge } from '../handshake/createChallenge';
import type { Identity } from '../handshake/identity';
import { type HelloOptions, signHello } from '../handshake/signHello';
import type { MessageBodies } from '../messages/catalogue';
import { ProtocolError } from '../ProtocolError';
import type { Peer } from './Peer';

/** Options of {@link clientHandshake}. */
export interface ClientHandshakeOptions extends HelloOptions {
  /** the key that signs the hello; its public key is this node's id */
  identity: Identity;
  /** refuse servers that present another id (`unauthorized`) */
  serverId?: string;
  /** deadline for the challenge and then for the welcome, ms */
  timeoutMs?: number;
}

/**
 * Runs the client side of the handshake (spec §6) on a peer created with `authenticated: false`:
 * waits for `challenge`, answers with a signed `hello`, and resolves with the `welcome` body (also
 * stored in `peer.welcome`; the server's limits become `peer.remoteLimits`).
 *
 * @throws ProtocolError the server's refusal (`bad_signature`, `unauthorized`, `version_mismatch`, …),
 *   `timeout`, or `closed`.
 */
export function clientHandshake(
  peer: Peer,
  options: ClientHandshakeOptions,
): Promise<MessageBodies['welcome']> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: ProtocolError | undefined, welcome?: MessageBodies['welcome']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) return resolve(welcome!);
      if (peer.isOpen) peer.close(error.code, error.shortMessage);
      reject(error);
    };
    const timer = setTimeout(
      () => finish(new ProtocolError('timeout', `no challenge within ${timeoutMs} ms`)),
      timeoutMs,
    );
    peer.closed.then((reason) => finish(reason));
    const stop = peer.handle('challenge', async (challenge: Challenge) => {
      stop();
      if (options.serverId !== undefined && challenge.serverId !== options.serverId) {
        return finish(
          new ProtocolError('unauthorized', `server id ${challenge.serverId} is not ${options.serverId}`),
        );
      }
      try {
        const hello = signHello(options.identity, challenge, options);
        const welcome = await peer.request('hello', hello, { timeoutMs });
        if (welcome.serverId !== challenge.serverId) {
          return finish(new ProtocolError('unauthorized', 'welcome names another server'));
        }
        peer.welcome = welcome;
        peer.remoteLimits = { ...welcome.limits };
        finish(undefined, welcome);
      } catch (error) {
        finish(ProtocolError.from(error));
      }
      return undefined;
    });
  });
}
