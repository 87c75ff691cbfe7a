import { type Socket, connect as tcpConnect } from 'node:net';
import {
  createIdentity,
  encodeEnvelope,
  openClientPeer,
  type Peer,
  PROTOCOL_VERSION,
  ProtocolError,
  tensor,
} from '@ailo/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { CliError } from '../src/cliError';
import { resolveAbuseLimits } from '../src/coordinator/AbuseLimits';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { TokenBuckets } from '../src/coordinator/TokenBucket';
import { NodeError } from '../src/errors';
import { nodeRegistry } from '../src/wire/messages';
import { fixtureModelDir, tempDir } from './fixtures';
import { spawnCli } from './processes';
import { runCli } from './runCli';

const data = tempDir();
const dir = fixtureModelDir('gpt2', data);
let c: Coordinator | undefined;
const peers: Peer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  for (const s of sockets.splice(0)) s.destroy();
  await c?.close();
  c = undefined;
});

async function coordinator(abuse: Parameters<typeof startCoordinatorNode>[0]['abuse']): Promise<Coordinator> {
  c = (
    await startCoordinatorNode({
      dataDir: tempDir(),
      port: 0,
      models: [{ dir }],
      ...(abuse ? { abuse } : {}),
    })
  ).coordinator;
  return c;
}

async function peer(): Promise<Peer> {
  const p = await openClientPeer(new WebSocket(c!.url) as never, {
    identity: createIdentity(),
    registry: nodeRegistry(),
    roles: ['trainer'],
  });
  peers.push(p);
  return p;
}

/** A raw TCP connection to the coordinator; resolves `closed` with the ms it stayed open. */
function raw(): { socket: Socket; closed: Promise<number>; received: () => Buffer } {
  const t0 = performance.now();
  const socket = tcpConnect(c!.port, '127.0.0.1');
  sockets.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => {});
  const closed = new Promise<number>((r) => socket.on('close', () => r(performance.now() - t0)));
  return { socket, closed, received: () => Buffer.concat(chunks) };
}

/** Does the HTTP upgrade by hand and resolves once the 101 arrived. */
async function rawWebSocket() {
  const r = raw();
  r.socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  while (!r.received().toString('latin1').includes('\r\n\r\n')) await new Promise((x) => setTimeout(x, 5));
  expect(r.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101/);
  return r;
}

/** A masked client frame header (RFC 6455 §5.2) declaring `length` payload bytes. */
function frameHeader(length: bigint): Buffer {
  const h = Buffer.alloc(14);
  h[0] = 0x82; // FIN + binary
  h[1] = 0x80 | 127; // masked, 64-bit length
  h.writeBigUInt64BE(length, 2);
  return h; // the last 4 bytes are the (zero) mask key
}

/** The close code in the first close frame the server sent, if any. */
function closeCode(bytes: Buffer): number | undefined {
  let at = bytes.indexOf('\r\n\r\n') + 4;
  while (at + 2 <= bytes.length) {
    const op = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let off = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      off = 4;
    }
    if (op === 8) return bytes.readUInt16BE(at + off);
    at += off + len;
  }
  return undefined;
}

function submitBody(pubkey: Uint8Array) {
  return {
    round: 0,
    taskId: 't',
    baseHash: new Uint8Array(32),
    updateHash: new Uint8Array(32),
    samples: 1,
    nonce: new Uint8Array(16),
    pubkey,
    sig: new Uint8Array(64),
    delta: { w: tensor('f32', [2], new Float32Array([1, 2])) },
  };
}

describe('abuse limits', () => {
  test('slowloris: a silent socket and one dribbling its headers are closed at the handshake deadline', async () => {
    const coord = await coordinator({ handshakeTimeoutMs: 400 });
    const silent = raw();
    const dribble = raw();
    const header = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
    let i = 0;
    const timer = setInterval(() => dribble.socket.write(header[i++ % header.length]!), 25);
    const [a, b] = await Promise.all([silent.closed, dribble.closed]);
    clearInterval(timer);
    for (const ms of [a, b]) {
      expect(ms).toBeGreaterThanOrEqual(350);
      expect(ms).toBeLessThan(2000);
    }
    expect(coord.connections.stats.slow).toBe(2);
    // a prompt request on another connection is served
    expect((await fetch(`${coord.httpUrl}/health`)).status).toBe(200);
  });

  test('a WebSocket that never sends its hello is closed with timeout (4009) at the deadline', async () => {
    const coord = await coordinator({ handshakeTimeoutMs: 400 });
    const t0 = performance.now();
    const ws = new WebSocket(coord.url);
    const code = await new Promise<number>((r) => ws.on('close', (x) => r(x)));
    expect(code).toBe(4009);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(coord.workers.list()).toHaveLength(0);
  });

  test('connections per IP: the one past the limit gets rate_limited (WebSocket 4014, HTTP 429), then room is made', async () => {
    const coord = await coordinator({ maxConnectionsPerIp: 3 });
    await Promise.all([peer(), peer(), peer()]);
    expect(coord.connections.openFrom('127.0.0.1')).toBe(3);
    const refused = await peer().catch((e) => e);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(refused.code).toBe('rate_limited');
    expect(refused.retryable).toBe(true);
    const http = raw();
    http.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await http.closed;
    expect(http.received().toString()).toMatch(/^HTTP\/1\.1 429/);
    expect(http.received().toString()).toContain('"code":"rate_limited"');
    expect(coord.workers.list()).toHaveLength(3);
    await peers.shift()!.close();
    const end = Date.now() + 5000;
    while (coord.connections.openFrom('127.0.0.1') > 2 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 10));
    await peer();
    expect(coord.workers.list()).toHaveLength(3);
    expect(coord.connections.stats.refused).toBe(2);
  });

  test('update.submit per identity: past the burst, rate_limited (retryable) before the handler runs; tokens refill', async () => {
    const coord = await coordinator({ requests: { 'update.submit': { burst: 2, perSecond: 10 } } });
    let handled = 0;
    coord.onPeer((w) =>
      w.peer.handle('update.submit', () => {
        handled++;
        return {};
      }),
    );
    const [a, b] = await Promise.all([peer(), peer()]);
    const pubA = a.welcome!.peerId;
    const body = submitBody(Uint8Array.from(Buffer.from(pubA, 'hex')));
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        a.request('update.submit', body as never).then(
          () => 'ok',
          (e: ProtocolError) => e,
        ),
      ),
    );
    expect(results.slice(0, 2)).toEqual(['ok', 'ok']);
    const e = results[2] as ProtocolError;
    expect(e.code).toBe('rate_limited');
    expect(e.retryable).toBe(true);
    expect(handled).toBe(2);
    // another identity has its own bucket
    await b.request('update.submit', body as never);
    expect(handled).toBe(3);
    await new Promise((r) => setTimeout(r, 150));
    await a.request('update.submit', body as never);
    expect(handled).toBe(4);
    expect(coord.rates.refused.get('update.submit')).toBe(1);
  });

  test('completion requests per client IP: past the burst, HTTP 429 rate_limited with Retry-After', async () => {
    const coord = await coordinator({ inference: { burst: 2, perSecond: 0.5 } });
    const post = () =>
      fetch(`${coord.httpUrl}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-gpt2', prompt: [1, 2], max_tokens: 2 }),
      });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await post());
    // no worker serves the model: the first two reach it (503), the third is refused before
    expect(statuses.slice(0, 2).map((r) => r.status)).toEqual([503, 503]);
    expect(statuses[2]!.status).toBe(429);
    expect(statuses[2]!.headers.get('retry-after')).toBe('2');
    expect(((await statuses[2]!.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // other routes are not counted
    expect((await fetch(`${coord.httpUrl}/health`)).status).toBe(200);
  });

  test('an unauthenticated connection cannot submit anything: unauthorized (4003), no handler runs', async () => {
    const coord = await coordinator(undefined);
    let handled = 0;
    coord.onPeer((w) => {
      for (const t of ['update.submit', 'tx.submit'] as const)
        w.peer.handle(t, () => {
          handled++;
          return {};
        });
    });
    for (const [t, body] of [
      ['update.submit', submitBody(new Uint8Array(32))],
      ['tx.submit', { tx: new Uint8Array(100) }],
    ] as const) {
      const ws = new WebSocket(coord.url);
      await new Promise((r) => ws.once('message', r)); // the challenge
      const closed = new Promise<number>((r) => ws.on('close', (x) => r(x)));
      ws.send(encodeEnvelope({ v: PROTOCOL_VERSION, t, id: 1, body: body as never }));
      expect(await closed).toBe(4003);
    }
    expect(handled).toBe(0);
    expect(coord.workers.list()).toHaveLength(0);
    // there is no HTTP path to submit either
    const r = await fetch(`${coord.httpUrl}/v1/updates`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(404);
  });

  test('an oversized frame is refused from its header (1009) before its payload is sent or buffered', async () => {
    const coord = await coordinator(undefined);
    for (const declared of [2n ** 40n, 64n * 1024n * 1024n + 1n]) {
      const ws = await rawWebSocket();
      const t0 = performance.now();
      ws.socket.write(frameHeader(declared));
      ws.socket.write(Buffer.alloc(16)); // 16 of the declared bytes; the rest never comes
      await ws.closed;
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(closeCode(ws.received())).toBe(1009);
    }
    expect(coord.workers.list()).toHaveLength(0);
  });
});

describe('limit values', () => {
  test('bad values are refused with bad_request naming the field', () => {
    for (const [input, field] of [
      [{ handshakeTimeoutMs: 0 }, 'handshakeTimeoutMs'],
      [{ maxConnectionsPerIp: 1.5 }, 'maxConnectionsPerIp'],
      [{ inference: { perSecond: Number.NaN } }, 'inference.perSecond'],
      [{ requests: { 'update.submit': { burst: -1 } } }, 'requests.update.submit.burst'],
    ] as const) {
      const e = (() => {
        try {
          resolveAbuseLimits(input as never);
        } catch (x) {
          return x;
        }
      })() as NodeError;
      expect(e).toBeInstanceOf(NodeError);
      expect(e.code).toBe('bad_request');
      expect(e.shortMessage).toContain(field);
    }
  });

  test('a token bucket refills at its rate, caps at its burst, and prunes nothing it still needs', () => {
    const b = new TokenBuckets({ burst: 3, perSecond: 2 });
    expect([0, 0, 0, 0].map((t) => b.take('k', t).ok)).toEqual([true, true, true, false]);
    expect(b.take('k', 0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(b.take('k', 500).ok).toBe(true);
    expect(b.take('k', 500).ok).toBe(false);
    expect([0, 1, 2, 3].map(() => b.take('k', 100_000).ok)).toEqual([true, true, true, false]);
    expect(b.take('other', 100_000).ok).toBe(true);
  });
});

describe('`ailo coordinator` limit flags', () => {
  test('bad values are usage errors before anything starts', async () => {
    for (const args of [
      ['--submit-limit', '0:1'],
      ['--inference-limit', '5'],
      ['--inference-limit', '5:-1'],
      ['--handshake-timeout', '0'],
      ['--max-connections-per-ip', 'x'],
    ])
      await expect(runCli(['coordinator', '--model', dir, ...args])).rejects.toBeInstanceOf(CliError);
  });

  test('the flags reach the running coordinator', async () => {
    const proc = await spawnCli([
      'coordinator',
      '--port',
      '0',
      '--data-dir',
      tempDir(),
      '--model',
      dir,
      '--handshake-timeout',
      '300',
      '--max-connections-per-ip',
      '1',
      '--json',
    ]);
    try {
      const ready = await proc.waitForJson<{ event: string; ws: string }>((j) => j.event === 'ready');
      const port = Number(new URL(ready.ws).port);
      const t0 = performance.now();
      const first = tcpConnect(port, '127.0.0.1');
      first.on('error', () => {});
      await new Promise((r) => first.once('connect', r));
      // the second connection from this address is refused at once with 429
      const second = await fetch(`http://127.0.0.1:${port}/health`);
      expect(second.status).toBe(429);
      await new Promise((r) => first.once('close', r));
      expect(performance.now() - t0).toBeLessThan(3000);
    } finally {
      await proc.kill();
    }
  });
});
