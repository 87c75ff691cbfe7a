import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../src/envelope';
import { createIdentity } from '../src/handshake/identity';
import { SeenNonces } from '../src/handshake/SeenNonces';
import { signHello } from '../src/handshake/signHello';
import { decodeMessage } from '../src/message';
import { MessageRegistry } from '../src/messages/MessageRegistry';
import { ProtocolError } from '../src/ProtocolError';
import { clientHandshake } from '../src/peer/clientHandshake';
import { Peer, type PeerOptions } from '../src/peer/Peer';
import { serverHandshake } from '../src/peer/serverHandshake';
import { tensor } from '../src/tensor';
import { asyncCodeOf, rejection } from './codeOf';
import { type MemorySocket, socketPair } from './memorySocket';

const opened: Peer[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

function pair(options: PeerOptions = {}): [Peer, Peer, MemorySocket, MemorySocket] {
  const [a, b] = socketPair();
  const pa = new Peer(a, { heartbeatMs: 0, ...options });
  const pb = new Peer(b, { heartbeatMs: 0, ...options });
  opened.push(pa, pb);
  return [pa, pb, a, b];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Peer (spec §7)', () => {
  it('correlates replies by id/re, also out of order', async () => {
    const [client, server] = pair();
    server.handle('infer.forward', async (body) => {
      await sleep(body.step === 0 ? 30 : 1);
      return {
        session: body.session,
        step: body.step,
        output: tensor('f32', [1], new Float32Array([body.step])),
      };
    });
    const input = tensor('i32', [1, 1], new Int32Array([1]));
    const [r0, r1] = await Promise.all([
      client.request('infer.forward', { session: 's', step: 0, position: 0, input }),
      client.request('infer.forward', { session: 's', step: 1, position: 1, input }),
    ]);
    expect(Array.from(r0.output.data as Float32Array)).toEqual([0]);
    expect(Array.from(r1.output.data as Float32Array)).toEqual([1]);
    expect(client.pendingCount).toBe(0);
  });

  it('wraps ids after 2^32 − 1 and skips ids still pending', async () => {
    const [client, server, socket] = pair();
    server.handle('model.manifest', () => new Promise(() => {}));
    (client as unknown as { nextId: number }).nextId = 1;
    const stuck = client.request('model.manifest', { model: 'm' }, { timeoutMs: 1000 }); // holds id 1
    (client as unknown as { nextId: number }).nextId = 0xffff_ffff;
    await client.request('ping', { ts: 1 });
    await client.request('ping', { ts: 2 });
    const ids = socket.sent.map((f) => decodeMessage(f).id);
    expect(ids).toEqual([1, 0xffff_ffff, 2]);
    client.close();
    expect(await asyncCodeOf(stuck)).toBe('closed');
  });

  it('answers ping with pong by default', async () => {
    const [client] = pair();
    expect(await client.request('ping', { ts: 42 })).toEqual({ ts: 42 });
  });

  it('sends typed error replies: handler errors, unknown types, missing handlers, bad bodies', async () => {
    const [client, server, socket] = pair();
    server.handle('model.chunk', () => {
      throw new ProtocolError('not_found', 'no such chunk');
    });
    server.handle('model.manifest', () => {
      throw new Error('secret internals');
    });
    const chunk = { model: 'm', chunk: 'c', offset: 0, length: 1 };
    await expect(client.request('model.chunk', chunk)).rejects.toMatchObject({
      code: 'not_found',
      retryable: false,
    });
    const internal = await rejection(client.request('model.manifest', { model: 'm' }));
    expect([internal.code, internal.shortMessage]).toEqual(['internal', 'handler failed']);
    expect(await asyncCodeOf(client.request('ledger.sync', { from: 0, limit: 1 }))).toBe('unsupported');
    // the sender's own checks refuse an unknown type; raw frames get the remote's typed replies
    expect(await asyncCodeOf(client.request('no.such' as never, {} as never))).toBe('unsupported');
    socket.send(encodeEnvelope({ v: 1, t: 'no.such', id: 998, body: {} }));
    socket.send(encodeEnvelope({ v: 1, t: 'ping', id: 999, body: { ts: 'x' } }));
    await sleep(10);
    const replies = (socket.other as MemorySocket).sent.map((f) => decodeMessage(f));
    expect(replies.find((r) => r.re === 998)).toMatchObject({ t: 'error', body: { code: 'unsupported' } });
    expect(replies.find((r) => r.re === 999)).toMatchObject({ t: 'error', body: { code: 'bad_request' } });
    expect(client.isOpen && server.isOpen).toBe(true);
  });

  it('refuses to send invalid bodies or frames past the remote limit', async () => {
    const [client] = pair({ remoteLimits: { maxFrameBytes: 100 } });
    expect(await asyncCodeOf(client.request('ping', { ts: 'x' } as never))).toBe('bad_request');
    const big = { tx: new Uint8Array(200) };
    expect(await asyncCodeOf(client.request('tx.submit', big))).toBe('too_large');
    expect(await asyncCodeOf(client.notify('tx.submit', big))).toBe('too_large');
  });

  it('fails a request past its deadline with timeout and drops the late reply', async () => {
    const [client, server] = pair();
    server.handle('model.manifest', async () => {
      await sleep(400);
      return { model: 'm', manifest: new Uint8Array(2), sha256: new Uint8Array(32) };
    });
    const started = Date.now();
    const error = await rejection(client.request('model.manifest', { model: 'm' }, { timeoutMs: 30 }));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    // well before the reply (400 ms), with room for a slow event loop
    expect(Date.now() - started).toBeLessThan(300);
    await sleep(400);
    expect(client.pendingCount).toBe(0);
    expect(client.isOpen).toBe(true);
  });

  it('aborts a request through an AbortSignal', async () => {
    const [client, server] = pair();
    server.handle('model.manifest', () => new Promise(() => {}));
    const controller = new AbortController();
    const pending = client.request('model.manifest', { model: 'm' }, { signal: controller.signal });
    controller.abort();
    expect(await asyncCodeOf(pending)).toBe('timeout');
  });

  it('delivers notifications to handlers without replying', async () => {
    const [client, server, , serverSocket] = pair();
    const got: number[] = [];
    server.handle('round.announce', (body) => {
      got.push(body.round);
    });
    const announce = {
      round: 3,
      model: 'm',
      baseHash: new Uint8Array(32),
      deadline: 1,
      minClients: 1,
      maxClients: 2,
    };
    await client.notify('round.announce', announce);
    await sleep(10);
    expect(got).toEqual([3]);
    expect(serverSocket.sent.length).toBe(0);
  });

  it('fails pending requests with closed when the remote closes mid-request', async () => {
    const [client, server] = pair();
    server.handle('model.manifest', () => {
      setTimeout(() => server.close('overloaded', 'shutting down'), 5);
      return new Promise(() => {});
    });
    const error = await rejection(client.request('model.manifest', { model: 'm' }));
    expect(error.code).toBe('closed');
    const reason = await client.closed;
    expect([reason.code, reason.shortMessage]).toEqual(['overloaded', 'shutting down']);
    expect(await asyncCodeOf(client.request('ping', { ts: 1 }))).toBe('closed');
  });

  it('fails pending requests with closed on a local close', async () => {
    const [client] = pair();
    const pending = client.request('model.manifest', { model: 'm' });
    client.close();
    expect(await asyncCodeOf(pending)).toBe('closed');
    expect((await client.closed).code).toBe('closed');
  });

  it('detects a vanished remote by heartbeat and fails pending requests with timeout', async () => {
    const [a, b] = socketPair();
    const client = new Peer(a, { heartbeatMs: 20, heartbeatTimeoutMs: 60 });
    const server = new Peer(b, { heartbeatMs: 0 });
    opened.push(client, server);
    server.handle('model.manifest', () => new Promise(() => {}));
    expect(await client.request('ping', { ts: 1 })).toEqual({ ts: 1 });
    b.blackhole = true; // the remote host disappears: no replies, no close frame
    const error = await rejection(client.request('model.manifest', { model: 'm' }));
    expect(error.code).toBe('timeout');
    expect((await client.closed).code).toBe('timeout');
  });

  it('keeps an idle but live connection open with pings', async () => {
    const [a, b] = socketPair();
    // generous timeout: a loaded CI machine may starve the event loop for a while
    const client = new Peer(a, { heartbeatMs: 30, heartbeatTimeoutMs: 1000 });
    const server = new Peer(b, { heartbeatMs: 30, heartbeatTimeoutMs: 1000 });
    opened.push(client, server);
    const reasons: string[] = [];
    client.closed.then((r) => reasons.push(`client ${r.code} ${r.shortMessage}`));
    server.closed.then((r) => reasons.push(`server ${r.code} ${r.shortMessage}`));
    await sleep(300);
    expect(reasons).toEqual([]);
    expect(client.isOpen && server.isOpen).toBe(true);
    expect(a.sent.length).toBeGreaterThan(2);
  });

  it('holds frames while bufferedAmount is above the high-water mark', async () => {
    const [client, , socket] = pair({ highWaterBytes: 1000, lowWaterBytes: 100 });
    socket.bufferedAmount = 5000;
    const sent = client.notify('ping', { ts: 1 });
    await sleep(20);
    expect(socket.sent.length).toBe(0);
    socket.bufferedAmount = 50;
    await sent;
    expect(socket.sent.length).toBe(1);
  });

  it('fails a notify with overloaded and a request with timeout when the buffer never drains', async () => {
    const [client, , socket] = pair({ highWaterBytes: 10, lowWaterBytes: 5, requestTimeoutMs: 40 });
    socket.bufferedAmount = 1000;
    expect(await asyncCodeOf(client.notify('ping', { ts: 1 }))).toBe('overloaded');
    expect(await asyncCodeOf(client.request('ping', { ts: 1 }))).toBe('timeout');
  });

  it('closes with bad_frame on a malformed frame or a text frame, with too_large past the limit', async () => {
    for (const [data, code] of [
      [new Uint8Array([0xc1]), 'bad_frame'],
      ['hello', 'bad_frame'],
      [new Uint8Array(2000), 'too_large'],
    ] as const) {
      const [, server, , serverSocket] = pair({ limits: { maxFrameBytes: 1000 } });
      serverSocket.receive(data);
      expect((await server.closed).code).toBe(code);
      expect(serverSocket.closeCode).toBe(code === 'bad_frame' ? 4000 : 4001);
    }
  });

  it('accepts ArrayBuffer and fragment arrays as frame data', async () => {
    const [, server, , serverSocket] = pair();
    const got: number[] = [];
    server.handle('ping', (b) => {
      got.push(b.ts);
      return b;
    });
    const frame = encodeEnvelope({ v: 1, t: 'ping', id: 1, body: { ts: 7 } });
    serverSocket.receive(frame.slice().buffer);
    serverSocket.receive([frame.subarray(0, 3), frame.subarray(3)]);
    await sleep(5);
    expect(got).toEqual([7, 7]);
  });

  it('uses a custom registry for application messages', async () => {
    const registry = new MessageRegistry().register(
      'app.add',
      Type.Object({ a: Type.Number(), b: Type.Number() }),
      {
        reply: 'app.sum',
      },
    );
    registry.register('app.sum', Type.Object({ sum: Type.Number() }), { kind: 'reply' });
    const [client, server] = pair({ registry });
    server.handle('app.add', (b) => ({ sum: (b.a as number) + (b.b as number) }));
    expect(await client.request('app.add', { a: 2, b: 3 })).toEqual({ sum: 5 });
  });
});

describe('handshake over a Peer (spec §6)', () => {
  function handshakePair() {
    const [a, b] = socketPair();
    const server = new Peer(a, { heartbeatMs: 0, authenticated: false });
    const client = new Peer(b, { heartbeatMs: 0, authenticated: false });
    opened.push(server, client);
    return { server, client, serverSocket: a, clientSocket: b };
  }

  it('authenticates both ends and shares the server limits', async () => {
    const { server, client } = handshakePair();
    const identity = createIdentity();
    const [verified, welcome] = await Promise.all([
      serverHandshake(server, { serverId: 'srv' }),
      clientHandshake(client, { identity, roles: ['trainer'], serverId: 'srv' }),
    ]);
    expect(verified.peerId).toBe(welcome.peerId);
    expect(server.hello?.roles).toEqual(['trainer']);
    expect(client.welcome?.serverId).toBe('srv');
    expect(client.remoteLimits).toEqual(server.limits);
    expect(server.isAuthenticated && client.isAuthenticated).toBe(true);
    expect(await client.request('ping', { ts: 1 })).toEqual({ ts: 1 });
  });

  it('closes with bad_signature on a forged hello', async () => {
    const { server, client, clientSocket } = handshakePair();
    const result = rejection(serverHandshake(server, { serverId: 'srv' }));
    client.handle('challenge', (challenge) => {
      const hello = signHello(createIdentity(), challenge);
      hello.sig = new Uint8Array(64).fill(1);
      client.request('hello', hello).catch(() => {});
    });
    expect((await result).code).toBe('bad_signature');
    expect((await client.closed).code).toBe('bad_signature');
    expect(clientSocket.closeCode).toBe(4004);
  });

  it('closes with unauthorized when a nonce is replayed', async () => {
    const seen = new SeenNonces();
    const fixed = () => new Uint8Array(32).fill(9); // a broken RNG repeating itself
    const first = handshakePair();
    await Promise.all([
      serverHandshake(first.server, { serverId: 'srv', seen, random: fixed }),
      clientHandshake(first.client, { identity: createIdentity() }),
    ]);
    const second = handshakePair();
    const [server, client] = await Promise.all([
      rejection(serverHandshake(second.server, { serverId: 'srv', seen, random: fixed })),
      rejection(clientHandshake(second.client, { identity: createIdentity() })),
    ]);
    expect([server.code, client.code]).toEqual(['unauthorized', 'unauthorized']);
  });

  it('closes with timeout when no hello arrives before the deadline', async () => {
    const { server, client } = handshakePair();
    const error = await rejection(serverHandshake(server, { serverId: 'srv', helloTimeoutMs: 30 }));
    expect(error.code).toBe('timeout');
    expect((await client.closed).code).toBe('timeout');
  });

  it('refuses a server that presents another id, and a refused client sees the reason', async () => {
    const one = handshakePair();
    serverHandshake(one.server, { serverId: 'mallory' }).catch(() => {});
    const error = await rejection(
      clientHandshake(one.client, { identity: createIdentity(), serverId: 'srv' }),
    );
    expect(error.code).toBe('unauthorized');

    const two = handshakePair();
    serverHandshake(two.server, {
      serverId: 'srv',
      authorize: () => {
        throw new ProtocolError('unauthorized', 'banned');
      },
    }).catch(() => {});
    const refused = await rejection(clientHandshake(two.client, { identity: createIdentity() }));
    expect([refused.code, refused.shortMessage]).toEqual(['unauthorized', 'banned']);
  });

  it('closes with version_mismatch on another hello version', async () => {
    const { server, client } = handshakePair();
    const result = rejection(serverHandshake(server, { serverId: 'srv' }));
    const refused = rejection(clientHandshake(client, { identity: createIdentity(), version: 9 }));
    expect((await result).code).toBe('version_mismatch');
    expect((await refused).code).toBe('version_mismatch');
  });

  it('closes with bad_request on a malformed hello', async () => {
    const { server, serverSocket } = handshakePair();
    const result = rejection(serverHandshake(server, { serverId: 'srv' }));
    serverSocket.receive(encodeEnvelope({ v: 1, t: 'hello', id: 1, body: { pubkey: 'not bytes' } }));
    expect((await server.closed).code).toBe('bad_request');
    expect((await result).code).toBe('bad_request');
    expect(serverSocket.closeCode).toBe(4005);
  });

  it('answers application messages before the handshake with unauthorized and closes', async () => {
    const { server, serverSocket } = handshakePair();
    serverHandshake(server, { serverId: 'srv' }).catch(() => {});
    serverSocket.receive(encodeEnvelope({ v: 1, t: 'ping', id: 1, body: { ts: 1 } }));
    expect((await server.closed).code).toBe('unauthorized');
    expect(serverSocket.closeCode).toBe(4003);
  });
});
