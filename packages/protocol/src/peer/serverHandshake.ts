import { DEFAULT_HEARTBEAT_MS, DEFAULT_HELLO_TIMEOUT_MS } from '../constants';
import { createChallenge } from '../handshake/createChallenge';
import type { SeenNonces } from '../handshake/SeenNonces';
import type { Hello } from '../handshake/signHello';
import { type VerifiedHello, verifyHello } from '../handshake/verifyHello';
import { ProtocolError } from '../ProtocolError';
import type { Peer } from './Peer';

/** Options of {@link serverHandshake}. */
export interface ServerHandshakeOptions {
  /** this server's id, signed into every hello */
  serverId: string;
  /** close with `timeout` if no valid hello arrives within this, ms */
  helloTimeoutMs?: number;
  /** nonces already used; share one across connections */
  seen?: SeenNonces;
  /** extra admission check (ban lists, role policy); throw a ProtocolError to refuse */
  authorize?: (hello: VerifiedHello) => void | Promise<void>;
  /** heartbeat interval announced in `welcome`, ms */
  heartbeatMs?: number;
  /** source of the nonce (tests) */
  random?: (n: number) => Uint8Array;
}

/**
 * Runs the server side of the handshake (spec §6) on a peer created with `authenticated: false`:
 * sends `challenge`, verifies the `hello`, replies `welcome` and opens the peer. A bad hello or a
 * missing one closes the connection with the typed reason (`bad_signature`, `unauthorized`,
 * `version_mismatch`, `bad_request`, `timeout`).
 *
 * @returns the verified client identity, also stored in `peer.hello`.
 */
export function serverHandshake(peer: Peer, options: ServerHandshakeOptions): Promise<VerifiedHello> {
  const challenge = createChallenge(options.serverId, options.random);
  const timeoutMs = options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS;
  return new Promise<VerifiedHello>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      const error = new ProtocolError('timeout', `no hello within ${timeoutMs} ms`);
      peer.close('timeout', error.shortMessage);
      reject(error);
    }, timeoutMs);
    peer.closed.then((reason) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(reason);
    });
    peer.handle('hello', async (body: Hello, context) => {
      if (done) throw new ProtocolError('conflict', 'hello was already answered');
      try {
        const verified = verifyHello(body, challenge, options.seen);
        await options.authorize?.(verified);
        peer.hello = verified;
        peer.authenticate();
        context.afterReply(() => {
          done = true;
          clearTimeout(timer);
          resolve(verified);
        });
        return {
          serverId: options.serverId,
          peerId: verified.peerId,
          heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
          limits: { ...peer.limits },
        };
      } catch (error) {
        const e = ProtocolError.from(error);
        done = true;
        clearTimeout(timer);
        reject(e);
        throw e; // the peer answers with the error and closes with its code (spec §6)
      }
    });
    peer.notify('challenge', challenge).catch((error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(ProtocolError.from(error));
    });
  });
}
