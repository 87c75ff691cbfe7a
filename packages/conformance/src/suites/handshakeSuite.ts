import { createIdentity, type Hello, peerIdOf } from '@ailo/protocol';
import { DEADLINE_SLACK_MS } from '../constants';
import { expectThat } from '../errors';
import type { ConformanceCase, ConformanceSuite } from '../types';
import { buildHello, dialTarget, openSession, receiveChallenge } from '../wire/clientSession';
import { closeCodesFor, expectErrorCode } from '../wire/expectError';
import type { WireConnection } from '../wire/WireConnection';

const LIMIT_KEYS = [
  'maxFrameBytes',
  'maxTensorElements',
  'maxCollectionLength',
  'maxDepth',
  'maxStringBytes',
];

/** Sends `hello`, expects `error` `code` answering it and a close with the code's close code. */
async function expectRefused(
  conn: WireConnection,
  hello: object,
  code: string,
  waitMs: number,
): Promise<void> {
  const reply = await conn.request('hello', hello as Record<string, unknown>, waitMs);
  expectErrorCode(reply, [code], 'hello');
  const close = await conn.waitClose(waitMs, `a close after the ${code} refusal`);
  expectThat(
    closeCodesFor(code).includes(close.code),
    `closed with ${close.code} after a ${code} refusal, expected ${closeCodesFor(code).join(' or ')}`,
  );
}

const cases: ConformanceCase[] = [
  {
    id: 'handshake.challenge',
    clause: 'protocol.md §6.1',
    title: 'the server opens with a challenge: 32-byte nonce never issued twice, string serverId',
    async run(ctx) {
      const a = await dialTarget(ctx);
      const b = await dialTarget(ctx);
      try {
        const ca = await receiveChallenge(a, ctx.waitMs);
        const cb = await receiveChallenge(b, ctx.waitMs);
        expectThat(ca.serverId === cb.serverId, 'two connections got different serverIds');
        expectThat(
          ca.nonce.some((x, i) => x !== cb.nonce[i]),
          'two connections got the same challenge nonce',
        );
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    id: 'handshake.welcome',
    clause: 'protocol.md §6.4',
    title: 'a valid hello is answered by welcome (re = hello id) with serverId, peerId, heartbeatMs, limits',
    async run(ctx) {
      const s = await openSession(ctx);
      try {
        const w = s.welcome.body as Record<string, unknown>;
        expectThat(w.serverId === s.challenge.serverId, 'welcome.serverId differs from challenge.serverId');
        expectThat(
          w.peerId === peerIdOf(s.identity.publicKey),
          'welcome.peerId is not the hex of our pubkey',
        );
        expectThat(typeof w.heartbeatMs === 'number', 'welcome.heartbeatMs is missing');
        const limits = w.limits as Record<string, unknown> | undefined;
        for (const k of LIMIT_KEYS)
          expectThat(typeof limits?.[k] === 'number', `welcome.limits.${k} is missing`);
      } finally {
        await s.conn.close();
      }
    },
  },
  {
    id: 'handshake.bad-signature',
    clause: 'protocol.md §6.3',
    title: 'a hello whose signature does not verify is refused with bad_signature and close 4004',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        const ch = await receiveChallenge(conn, ctx.waitMs);
        const hello = buildHello(createIdentity(), ch, {}, (h) => {
          const sig = h.sig.slice();
          sig[5] = (sig[5] ?? 0) ^ 0x01;
          return { ...h, sig };
        });
        await expectRefused(conn, hello, 'bad_signature', ctx.waitMs);
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.small-order-key',
    clause: 'protocol.md §6.3',
    title: 'a small-order public key is refused (strict RFC 8032) even when the lax equation holds',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        const ch = await receiveChallenge(conn, ctx.waitMs);
        // A = identity point, R = identity, S = 0: [S]B = R + [k]A holds for every message
        const identity = new Uint8Array(32);
        identity[0] = 1;
        const sig = new Uint8Array(64);
        sig[0] = 1;
        const hello = buildHello(createIdentity(), ch, {}, (h) => ({ ...h, pubkey: identity, sig }));
        await expectRefused(conn, hello, 'bad_signature', ctx.waitMs);
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.wrong-version',
    clause: 'protocol.md §6.3',
    title: 'a hello with version 2 is refused with version_mismatch and close 4006',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        const ch = await receiveChallenge(conn, ctx.waitMs);
        await expectRefused(
          conn,
          buildHello(createIdentity(), ch, { version: 2 }),
          'version_mismatch',
          ctx.waitMs,
        );
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.bad-schema',
    clause: 'protocol.md §6.3',
    title: 'a hello with a 31-byte pubkey is refused with bad_request and close 4005',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        const ch = await receiveChallenge(conn, ctx.waitMs);
        const hello = buildHello(createIdentity(), ch, {}, (h: Hello) => ({
          ...h,
          pubkey: h.pubkey.slice(1),
        }));
        await expectRefused(conn, hello, 'bad_request', ctx.waitMs);
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.replayed-hello',
    clause: 'protocol.md §6.1',
    title: 'a hello signed for another connection’s challenge is refused (bad_signature or unauthorized)',
    async run(ctx) {
      const first = await openSession(ctx);
      const replayed = buildHello(first.identity, first.challenge);
      await first.conn.close();
      const conn = await dialTarget(ctx);
      try {
        await receiveChallenge(conn, ctx.waitMs);
        const reply = await conn.request('hello', replayed, ctx.waitMs);
        expectErrorCode(reply, ['bad_signature', 'unauthorized'], 'replayed hello');
        await conn.waitClose(ctx.waitMs, 'a close after the replayed hello');
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.request-before-hello',
    clause: 'protocol.md §6.7',
    title: 'a request before the handshake is answered with unauthorized and close 4003',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        await receiveChallenge(conn, ctx.waitMs);
        const reply = await conn.request('ping', { ts: 1 }, ctx.waitMs);
        expectErrorCode(reply, ['unauthorized'], 'ping before hello');
        const close = await conn.waitClose(ctx.waitMs);
        expectThat(close.code === 4003, `closed with ${close.code}, expected 4003`);
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'handshake.timeout',
    clause: 'protocol.md §6.5',
    title: 'a client that never sends hello is closed with timeout (4009) by the handshake deadline',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        await receiveChallenge(conn, ctx.waitMs);
        const close = await conn.waitClose(
          ctx.handshakeDeadlineMs + DEADLINE_SLACK_MS,
          'a close by the handshake deadline',
        );
        expectThat(close.code === 4009, `closed with ${close.code}, expected 4009 (timeout)`);
      } finally {
        await conn.close();
      }
    },
  },
];

/** Handshake: a good hello and hostile ones (protocol.md §6). Role coordinator. */
export function handshakeSuite(): ConformanceSuite {
  return { name: 'handshake', cases };
}
