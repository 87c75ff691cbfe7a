import { CLOSE_CODES } from '../constants';
import { expectThat } from '../errors';
import type { ConformanceCase, ConformanceContext, ConformanceSuite } from '../types';
import { unhex, VECTOR_FILES } from '../vectors';
import { dialTarget, openSession, receiveChallenge, withSession } from '../wire/clientSession';
import { expectConnectionError } from '../wire/expectError';

function vectorHex(file: keyof typeof VECTOR_FILES, name: string): Uint8Array {
  const v = VECTOR_FILES[file].vectors.find((x) => x.name === name);
  if (!v) throw new Error(`vector ${file}/${name} is missing`);
  return unhex(v.hex);
}

/** Opens a second client while `abuse` runs on a first one, and checks the second is served. */
async function servesOthersDuring(
  ctx: ConformanceContext,
  abuse: (send: (b: Uint8Array) => void) => void,
): Promise<void> {
  const bystander = await openSession(ctx);
  const attacker = await openSession(ctx);
  try {
    abuse((b) => attacker.conn.sendRaw(b));
    await attacker.conn.waitClose(ctx.waitMs, 'the attacker to be closed');
    const r = await bystander.conn.request('ping', { ts: 9 }, ctx.waitMs);
    expectThat(r.t === 'pong', 'a client connected before the abuse is no longer served');
    const late = await openSession(ctx);
    await late.conn.close();
  } finally {
    await bystander.conn.close();
    await attacker.conn.close();
  }
}

const cases: ConformanceCase[] = [
  {
    id: 'limits.oversize-frame',
    clause: 'protocol.md §2.4',
    title: 'a message longer than the announced maxFrameBytes is refused with close 1009 or 4001',
    run: (ctx) =>
      withSession(ctx, async ({ conn, welcome }) => {
        const max = (welcome.body.limits as { maxFrameBytes: number }).maxFrameBytes;
        expectThat(max <= 256 * 1024 * 1024, `maxFrameBytes ${max} is too large to test`);
        conn.sendRaw(new Uint8Array(max + 1));
        const close = await conn.waitClose(ctx.waitMs * 2, 'a close after an oversize frame');
        expectThat(
          close.code === CLOSE_CODES.tooBigWs || close.code === CLOSE_CODES.too_large,
          `closed with ${close.code}, expected 1009 or 4001`,
        );
      }),
  },
  {
    id: 'limits.oversize-before-hello',
    clause: 'protocol.md §2.4',
    title: 'the frame limit holds before the handshake too',
    async run(ctx) {
      const conn = await dialTarget(ctx);
      try {
        await receiveChallenge(conn, ctx.waitMs);
        conn.sendRaw(new Uint8Array(64 * 1024 * 1024 + 1));
        const close = await conn.waitClose(ctx.waitMs * 2, 'a close after an oversize frame');
        expectThat(
          close.code === 1009 || close.code === 4001,
          `closed with ${close.code}, expected 1009 or 4001`,
        );
      } finally {
        await conn.close();
      }
    },
  },
  {
    id: 'limits.depth',
    clause: 'protocol.md §5',
    title: 'nesting deeper than maxDepth is too_large (4001)',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        conn.sendRaw(vectorHex('limits', 'depth bomb'));
        await expectConnectionError(conn, 'too_large', ctx.waitMs, 'a depth bomb');
      }),
  },
  {
    id: 'limits.bad-tensor',
    clause: 'protocol.md §4',
    title: 'a tensor with an unknown dtype is bad_frame (4000)',
    run: (ctx) =>
      withSession(ctx, async ({ conn }) => {
        conn.sendRaw(vectorHex('tensors', 'tensor unknown dtype'));
        await expectConnectionError(conn, 'bad_frame', ctx.waitMs, 'a bad tensor');
      }),
  },
  {
    id: 'limits.alive-after-depth-bomb',
    clause: 'protocol.md §5',
    title: 'while one client sends a depth bomb, other clients are still served',
    run: (ctx) => servesOthersDuring(ctx, (send) => send(vectorHex('limits', 'depth bomb'))),
  },
  {
    id: 'limits.alive-after-huge-tensor',
    clause: 'protocol.md §4',
    title: 'while one client declares a tensor past maxTensorElements, other clients are still served',
    run: (ctx) =>
      servesOthersDuring(ctx, (send) => {
        send(vectorHex('tensors', 'tensor elements past the limit'));
      }),
  },
  {
    id: 'limits.alive-after-bad-tensor',
    clause: 'protocol.md §4',
    title: 'while one client sends a malformed tensor, other clients are still served',
    run: (ctx) => servesOthersDuring(ctx, (send) => send(vectorHex('tensors', 'tensor data short'))),
  },
];

/** Limits enforced before allocation, and liveness under abuse (protocol.md §2.4, §4, §5). Role coordinator. */
export function limitsSuite(): ConformanceSuite {
  return { name: 'limits', cases };
}
