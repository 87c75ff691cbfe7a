import {
  type Body,
  createIdentity,
  type Envelope,
  type Hello,
  type HelloOptions,
  type Identity,
  signHello,
} from '@ailo/protocol';
import { ConformanceError, expectThat } from '../errors';
import type { ConformanceContext } from '../types';
import { WireConnection } from './WireConnection';

/** The challenge a server sent (protocol.md §6.1). */
export interface ReceivedChallenge {
  nonce: Uint8Array;
  serverId: string;
}

/** Dials the target and waits for the socket to open. */
export async function dialTarget(ctx: ConformanceContext): Promise<WireConnection> {
  const conn = new WireConnection(ctx.dial(ctx.target));
  await conn.opened();
  return conn;
}

/**
 * Waits for the server's first message and checks it is a well-formed `challenge` (protocol.md §6.1).
 * @throws ConformanceError `violation` otherwise.
 */
export async function receiveChallenge(conn: WireConnection, waitMs: number): Promise<ReceivedChallenge> {
  const first = await conn.next(() => true, waitMs, 'the challenge');
  expectThat(first.t === 'challenge', `the first message is ${first.t}, not challenge`);
  const { nonce, serverId } = first.body as { nonce?: unknown; serverId?: unknown };
  expectThat(nonce instanceof Uint8Array && nonce.length === 32, 'challenge.nonce is not 32 bytes');
  expectThat(typeof serverId === 'string', 'challenge.serverId is not a string');
  return { nonce, serverId };
}

/** A hello for `challenge`, optionally altered (hostile cases). */
export function buildHello(
  identity: Identity,
  challenge: ReceivedChallenge,
  options: HelloOptions = {},
  alter?: (hello: Hello) => Body,
): Body {
  const hello = signHello(identity, challenge, options);
  return alter ? alter(hello) : (hello as unknown as Body);
}

/** An authenticated connection to the target. */
export interface ClientSession {
  conn: WireConnection;
  identity: Identity;
  challenge: ReceivedChallenge;
  welcome: Envelope;
}

/**
 * Dials the target and completes a good handshake.
 * @throws ConformanceError `violation` when the target refuses a valid hello.
 */
export async function openSession(
  ctx: ConformanceContext,
  options: HelloOptions & { identity?: Identity } = {},
): Promise<ClientSession> {
  const conn = await dialTarget(ctx);
  const identity = options.identity ?? createIdentity();
  const challenge = await receiveChallenge(conn, ctx.waitMs);
  const reply = await conn.request('hello', buildHello(identity, challenge, options), ctx.waitMs);
  if (reply.t !== 'welcome') {
    await conn.close();
    throw new ConformanceError('violation', `a valid hello was answered with ${reply.t}`, {
      details: JSON.stringify(reply.body),
    });
  }
  return { conn, identity, challenge, welcome: reply };
}

/** Runs `fn` with a fresh authenticated session and closes it afterwards. */
export async function withSession<T>(
  ctx: ConformanceContext,
  fn: (s: ClientSession) => Promise<T>,
  options: HelloOptions & { identity?: Identity } = {},
): Promise<T> {
  const s = await openSession(ctx, options);
  try {
    return await fn(s);
  } finally {
    await s.conn.close();
  }
}
