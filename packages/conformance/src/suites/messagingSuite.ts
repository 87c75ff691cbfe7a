import { encodeEnvelope } from '@ailo/protocol';
import { UNKNOWN_TYPE } from '../constants';
import { expectThat } from '../errors';
import type { ConformanceCase, ConformanceSuite } from '../types';
import { toHex, unhex } from '../vectors';
import { withSession } from '../wire/clientSession';
import { expectConnectionError, expectErrorCode } from '../wire/expectError';
import type { WireConnection } from '../wire/WireConnection';

/** A ping round trip proving the connection still works. */
async function expectAlive(conn: WireConnection, waitMs: number, after: string): Promise<void> {
  const ts = 4242;
  const reply = await conn.request('ping', { ts }, waitMs);
  expectThat(reply.t === 'pong' && reply.body.ts === ts, `the connection stopped working after ${after}`);
}

const cases: ConformanceCase[] = [
  {
    id: 'rpc.ping',
    clause: 'protocol.md §7.4',
    title: 'ping is answered by pong echoing ts, re = the ping id',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        const reply = await conn.request('ping', { ts: 1_700_000_000_123 }, ctx.waitMs);
        expectThat(reply.t === 'pong', `ping answered with ${reply.t}`);
        expectThat(reply.body.ts === 1_700_000_000_123, 'pong.ts does not echo ping.ts');
      }),
  },
  {
    id: 'rpc.unknown-type',
    clause: 'protocol.md §7.2',
    title: 'an unknown message type is answered with unsupported and the connection stays open',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        const reply = await conn.request(UNKNOWN_TYPE, { x: 1 }, ctx.waitMs);
        expectErrorCode(reply, ['unsupported'], UNKNOWN_TYPE);
        await expectAlive(conn, ctx.waitMs, 'an unknown type');
      }),
  },
  {
    id: 'rpc.bad-body',
    clause: 'protocol.md §7.2',
    title: 'a body that does not match its schema is answered with bad_request; the connection stays open',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        const reply = await conn.request('ping', { ts: 'yesterday' }, ctx.waitMs);
        expectErrorCode(reply, ['bad_request'], 'ping with a string ts');
        await expectAlive(conn, ctx.waitMs, 'a bad body');
      }),
  },
  {
    id: 'rpc.reply-without-re',
    clause: 'protocol.md §7.2',
    title: 'a reply type sent without re is answered with bad_request',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        const reply = await conn.request('pong', { ts: 1 }, ctx.waitMs);
        expectErrorCode(reply, ['bad_request'], 'pong without re');
        await expectAlive(conn, ctx.waitMs, 'a reply without re');
      }),
  },
  {
    id: 'rpc.stray-reply',
    clause: 'protocol.md §7.2',
    title: 'a reply whose re matches no pending request is dropped silently',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        conn.send('pong', { ts: 1 }, { re: 0x7fff_fff0 });
        await expectAlive(conn, ctx.waitMs, 'a stray reply');
        const extra = conn.pending();
        expectThat(
          extra.length === 0,
          `the stray reply was answered with ${extra.map((e) => e.t).join(', ')}`,
        );
      }),
  },
  {
    id: 'rpc.non-canonical-accepted',
    clause: 'protocol.md §3.2',
    title: 'a non-canonical but valid encoding (unsorted keys, long integer forms) is accepted',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        // {v:1, t:"ping", id:uint16 7, body:{ts:uint32 5}}, keys unsorted
        conn.sendRaw(unhex('84a17601a174a470696e67a26964cd0007a4626f647981a27473ce00000005'));
        const r = await conn.next((e) => e.re === 7, ctx.waitMs, 'pong to a non-canonical ping');
        expectThat(r.t === 'pong' && r.body.ts === 5, `a non-canonical ping was answered with ${r.t}`);
      }),
  },
  {
    id: 'rpc.unknown-body-field',
    clause: 'protocol.md §3.3',
    title: 'unknown body fields are ignored',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        const r = await conn.request('ping', { ts: 6, conformanceExtra: 'ignored' }, ctx.waitMs);
        expectThat(r.t === 'pong' && r.body.ts === 6, `a ping with an extra field was answered with ${r.t}`);
      }),
  },
  {
    id: 'rpc.canonical-frames',
    clause: 'protocol.md §3.2',
    title: 'the frames the target sends (welcome, pong, error) are canonically encoded',
    run: (ctx) =>
      withSession(ctx, async ({ conn, welcome }) => {
        const frames = [
          welcome,
          await conn.request('ping', { ts: 1.5 }, ctx.waitMs),
          await conn.request(UNKNOWN_TYPE, {}, ctx.waitMs),
        ];
        for (const e of frames) {
          const got = conn.rawOf(e);
          expectThat(got !== undefined, `no bytes recorded for ${e.t}`);
          const canonical = toHex(encodeEnvelope(e));
          expectThat(
            toHex(got) === canonical,
            `${e.t} is not canonical`,
            `got ${toHex(got)}, canonical ${canonical}`,
          );
        }
      }),
  },
  {
    id: 'rpc.id-reuse-after-reply',
    clause: 'protocol.md §7.1',
    title: 'an id may be used again once its request was answered',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        for (const ts of [1, 2]) {
          conn.send('ping', { ts }, { id: 77 });
          const r = await conn.next((e) => e.re === 77, ctx.waitMs, 'pong to id 77');
          expectThat(r.t === 'pong' && r.body.ts === ts, `request ${ts} with id 77 answered with ${r.t}`);
        }
      }),
  },
  {
    id: 'rpc.text-frame',
    clause: 'protocol.md §2.2',
    title: 'a text WebSocket message is bad_frame and closes the connection (4000)',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        conn.sendText('{"v":1,"t":"ping","id":1,"body":{"ts":1}}');
        await expectConnectionError(conn, 'bad_frame', ctx.waitMs, 'a text message');
      }),
  },
  {
    id: 'rpc.unknown-envelope-key',
    clause: 'protocol.md §3.3',
    title: 'an envelope with an extra key is bad_frame and closes the connection',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        // {body:{ts:1}, id:9, t:"ping", v:1, x:0} with keys in canonical order
        const hex = '85a4626f647981a2747301a2696409a174a470696e67a17601a17800';
        conn.sendRaw(Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16))));
        await expectConnectionError(conn, 'bad_frame', ctx.waitMs, 'an extra envelope key');
      }),
  },
];

/** Requests, replies, notifications and error semantics (protocol.md §2, §3.3, §7, §8). Role coordinator. */
export function messagingSuite(): ConformanceSuite {
  return { name: 'messaging', cases };
}
