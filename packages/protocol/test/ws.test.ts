import { createRequire } from 'node:module';
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createIdentity } from '../src/handshake/identity';
import { signHello } from '../src/handshake/signHello';
import { decodeMessage, encodeMessage } from '../src/message';
import { connectPeer, createPeerServer, type PeerServer, type PeerServerOptions } from '../src/node';
import type { ProtocolError } from '../src/ProtocolError';
import { connect } from '../src/peer/openPeer';
import type { Peer } from '../src/peer/Peer';
import { type Tensor, tensor } from '../src/tensor';
import { asyncCodeOf, rejection } from './codeOf';

const servers: PeerServer[] = [];
const peers: Peer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<PeerServerOptions> = {}) {
  const accepted: Peer[] = [];
  const server = await createPeerServer({
    port: 0,
    host: '127.0.0.1',
    serverId: 'srv',
    heartbeatMs: 0,
    ...options,
    onPeer: (peer) => {
      accepted.push(peer);
      options.onPeer?.(peer);
    },
  });
  servers.push(server);
  return { server, accepted };
}

async function client(url: string, options: Partial<Parameters<typeof connectPeer>[1]> = {}) {
  const peer = await connectPeer(url, { identity: createIdentity(), heartbeatMs: 0, ...options });
  peers.push(peer);
  return peer;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Peer over real ws on loopback', () => {
  it('handshakes and answers requests carrying tensors', async () => {
    const { server, accepted } = await start({
      onPeer: (peer) =>
        peer.handle('infer.forward', (body) => {
          const input = body.input as Tensor & { data: Int32Array };
          const out = new Float32Array(input.data.length).map((_, i) => input.data[i]! * 0.5);
          return { session: body.session, step: body.step, output: tensor('f32', input.shape, out) };
        }),
    });
    const peer = await client(server.url, { serverId: 'srv', roles: ['worker'] });
    const input = tensor('i32', [1, 4], new Int32Array([2, 4, 6, 8]));
    const result = await peer.request('infer.forward', { session: 'x', step: 0, position: 0, input });
    expect(result.output.shape).toEqual([1, 4]);
    expect(Array.from(result.output.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(accepted[0]?.hello?.peerId).toBe(peer.welcome?.peerId);
    expect(accepted[0]?.hello?.roles).toEqual(['worker']);
  });

  it('carries a 200 KB tensor each way intact: the client masks it, the server unmasks it', async () => {
    const { server } = await start({
      onPeer: (peer) =>
        peer.handle('infer.forward', (body) => ({
          session: body.session,
          step: body.step,
          output: tensor(
            'f32',
            body.input.shape,
            (body.input.data as Float32Array).map((v) => -v),
          ),
        })),
    });
    const peer = await client(server.url, { serverId: 'srv' });
    const data = new Float32Array(50257).map((_, i) => Math.sin(i) * 1e3);
    const input = tensor('f32', [1, 1, 50257], data);
    const result = await peer.request('infer.forward', { session: 'x', step: 0, position: 0, input });
    expect(result.output.shape).toEqual([1, 1, 50257]);
    expect(Array.from(result.output.data as Float32Array)).toEqual(Array.from(data, (v) => -v));
  });

  it('has bufferutil beside ws, so client frames are masked and unmasked in native code', () => {
    // ws looks for it from its own directory; without it every masked frame goes through a JS
    // byte loop (about 0.6 ms per 200 KB on the coordinator, against 10 µs)
    const fromWs = createRequire(createRequire(import.meta.url).resolve('ws'));
    const bufferUtil = fromWs('bufferutil') as { mask: unknown; unmask: unknown };
    expect(typeof bufferUtil.mask).toBe('function');
    expect(typeof bufferUtil.unmask).toBe('function');
    if (process.platform === 'linux' && process.arch === 'x64') {
      // a prebuilt binary ships for this platform: the JS fallback would mean a broken install
      expect(String(bufferUtil.unmask)).toContain('[native code]');
    }
  });

  it('times out a request the server never answers', async () => {
    const { server } = await start({
      onPeer: (p) => p.handle('model.manifest', () => new Promise(() => {})),
    });
    const peer = await client(server.url);
    expect(await asyncCodeOf(peer.request('model.manifest', { model: 'm' }, { timeoutMs: 50 }))).toBe(
      'timeout',
    );
    expect(peer.isOpen).toBe(true);
  });

  it('fails pending requests with closed when the server drops the connection mid-request', async () => {
    const { server } = await start({
      onPeer: (p) =>
        p.handle('model.manifest', () => {
          setTimeout(() => (p.socket as unknown as WebSocket).terminate(), 10);
          return new Promise(() => {});
        }),
    });
    const peer = await client(server.url);
    const pending = [1, 2, 3].map(() => asyncCodeOf(peer.request('model.manifest', { model: 'm' })));
    expect(await Promise.all(pending)).toEqual(['closed', 'closed', 'closed']);
    expect((await peer.closed).code).toBe('closed');
  });

  it('detects a server that stops reading (heartbeat) and fails pending requests with timeout', async () => {
    const { server, accepted } = await start({
      onPeer: (p) => p.handle('model.manifest', () => new Promise(() => {})),
    });
    const peer = await client(server.url, { heartbeatMs: 20, heartbeatTimeoutMs: 120 });
    const raw = (accepted[0]!.socket as unknown as { _socket: { pause(): void } })._socket;
    raw.pause(); // the server process hangs: TCP stays up, nothing is answered
    const error = await rejection(peer.request('model.manifest', { model: 'm' }));
    expect(error.code).toBe('timeout');
    expect((await peer.closed).code).toBe('timeout');
  });

  it('refuses an oversize frame with too_large (ws maxPayload) and closes both ends', async () => {
    const { server, accepted } = await start({
      limits: { maxFrameBytes: 64 * 1024 },
      onPeer: (p) => p.handle('tx.submit', () => new Promise(() => {})),
    });
    // the client believes the server takes more, so its own pre-send check does not stop the frame
    const peer = await client(server.url, {});
    peer.remoteLimits = { ...peer.remoteLimits, maxFrameBytes: 1 << 20 };
    const pending = peer.request('tx.submit', { tx: new Uint8Array(65_000) });
    const overflow = asyncCodeOf(
      peer.notify('block.announce', { height: 1, hash: new Uint8Array(32), block: new Uint8Array(70_000) }),
    );
    expect(await overflow).toBe('no error'); // sent; the server refuses it on arrival
    expect(await asyncCodeOf(pending)).toBe('closed');
    expect((await peer.closed).code).toBe('too_large');
    expect((await accepted[0]!.closed).code).toBe('too_large');
  });

  it('refuses a frame whose header declares 1 TiB without allocating it', async () => {
    const { server } = await start({ limits: { maxFrameBytes: 1 << 20 } });
    const before = process.memoryUsage().arrayBuffers;
    const closeCode = await new Promise<number>((resolve, reject) => {
      const socket = tcpConnect(server.port, '127.0.0.1', () => {
        socket.write(
          'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
      });
      let buffer = Buffer.alloc(0);
      let upgraded = false;
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!upgraded) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          upgraded = true;
          buffer = buffer.subarray(end + 4);
          // FIN + binary, MASK + 127 → 64-bit length 2^40, then the mask key and a few bytes
          const header = Buffer.from([0x82, 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9]);
          socket.write(header);
        }
        // server frames are unmasked; find the close frame (opcode 8) after the challenge
        for (let at = 0; at + 1 < buffer.length; ) {
          const op = buffer[at]! & 0x0f;
          let len = buffer[at + 1]! & 0x7f;
          let head = 2;
          if (len === 126) {
            len = buffer.readUInt16BE(at + 2);
            head = 4;
          }
          if (at + head + len > buffer.length) break;
          if (op === 8) return resolve(buffer.readUInt16BE(at + head));
          at += head + len;
        }
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('closed without a close frame')));
    });
    expect(closeCode).toBe(1009);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    // the server still serves others
    const peer = await client(server.url);
    expect(await peer.request('ping', { ts: 5 })).toEqual({ ts: 5 });
  });

  it('closes with bad_signature (4004) on a forged hello', async () => {
    const rejected: ProtocolError[] = [];
    const { server } = await start({ onReject: (e) => rejected.push(e) });
    const socket = new WebSocket(server.url);
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const replies: string[] = [];
    socket.on('message', (data: Buffer) => {
      const message = decodeMessage(new Uint8Array(data));
      replies.push(message.t);
      if (message.t === 'challenge') {
        const hello = signHello(createIdentity(), message.body as never);
        hello.sig = hello.sig.map((b) => b ^ 0xff);
        socket.send(encodeMessage({ v: 1, t: 'hello', id: 1, body: hello }));
      }
    });
    expect(await closed).toBe(4004);
    expect(replies).toEqual(['challenge', 'error', 'bye']);
    expect(rejected.map((e) => e.code)).toEqual(['bad_signature']);
  });

  it('closes with timeout (4009) when no hello arrives in time', async () => {
    const { server } = await start({ helloTimeoutMs: 50 });
    const socket = new WebSocket(server.url);
    const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
    expect(code).toBe(4009);
  });

  it('connects through a global WebSocket with ArrayBuffer frames, as browsers do', async () => {
    const { server } = await start({ onPeer: (p) => p.handle('ping', (b) => ({ ts: b.ts + 1 })) });
    const g = globalThis as { WebSocket?: unknown };
    const previous = g.WebSocket;
    if (previous === undefined) {
      expect(await asyncCodeOf(connect(server.url, { identity: createIdentity() }))).toBe('unavailable');
    }
    g.WebSocket = WebSocket;
    try {
      const peer = await connect(server.url, { identity: createIdentity(), heartbeatMs: 0 });
      peers.push(peer);
      expect(peer.socket.binaryType).toBe('arraybuffer');
      expect(await peer.request('ping', { ts: 1 })).toEqual({ ts: 2 });
    } finally {
      g.WebSocket = previous;
    }
  });

  it('connects to nothing with unavailable', async () => {
    const { server } = await start();
    const url = server.url;
    await server.close();
    servers.length = 0;
    expect(await asyncCodeOf(connectPeer(url, { identity: createIdentity() }))).toBe('unavailable');
  });

  it('closes cleanly: bye, then 1000, and the other side learns the reason', async () => {
    const { server, accepted } = await start();
    const peer = await client(server.url);
    await sleep(5);
    await peer.close();
    const reason = await accepted[0]!.closed;
    expect([reason.code, reason.shortMessage]).toEqual(['closed', 'bye']);
  });
});
