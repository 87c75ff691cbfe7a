import { connect, type Socket } from 'node:net';
import { generateKeyPair } from '@ailo/ledger';
import { createIdentity, peerIdOf } from '@ailo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WorkerCore } from '../src/worker/core/WorkerCore';
import { type LinkServer, linkConnector, startLinkServer } from '../src/worker/node/linkServer';

const servers: LinkServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function linkServer(abuse: { maxConnectionsPerIp?: number; handshakeTimeoutMs?: number }) {
  const identity = createIdentity(generateKeyPair().secretKey);
  const core = new WorkerCore({
    backend: {} as never,
    loadSpan: async () => {
      throw new Error('no spans in this test');
    },
  });
  const server = await startLinkServer(core, identity, { host: '127.0.0.1', port: 0, abuse });
  servers.push(server);
  return { server, node: peerIdOf(identity.publicKey) };
}

/** A raw TCP connection to the link endpoint; resolves `closed` when the server drops it. */
async function rawSocket(url: string) {
  const { hostname, port } = new URL(url.replace('ws:', 'http:'));
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const closed = new Promise<number>((resolve) => {
    const t0 = performance.now();
    socket.once('close', () => resolve(performance.now() - t0));
  });
  socket.on('error', () => {});
  return { socket, closed };
}

describe('a worker link endpoint keeps connection limits', () => {
  it('closes a connection past the per-IP limit at once and counts it', async () => {
    const { server } = await linkServer({ maxConnectionsPerIp: 2, handshakeTimeoutMs: 10_000 });
    const a = await rawSocket(server.url);
    const b = await rawSocket(server.url);
    const c = await rawSocket(server.url);
    expect(await c.closed).toBeLessThan(2000);
    expect(server.stats.refused).toBe(1);
    expect(a.socket.destroyed || b.socket.destroyed).toBe(false);
    // once one closes, the IP may open another
    a.socket.destroy();
    await a.closed;
    await new Promise((r) => setTimeout(r, 50));
    const d = await rawSocket(server.url);
    const survived = await Promise.race([
      d.closed.then(() => false),
      new Promise((r) => setTimeout(() => r(true), 300)),
    ]);
    expect(survived).toBe(true);
  });

  it('destroys a socket that does not upgrade within the handshake time', async () => {
    const { server } = await linkServer({ maxConnectionsPerIp: 8, handshakeTimeoutMs: 300 });
    const idle = await rawSocket(server.url);
    const ms = await idle.closed;
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5000);
    expect(server.stats.slow).toBe(1);
  });

  it('closes an upgraded link that sends no hello in time with timeout', async () => {
    const { server } = await linkServer({ maxConnectionsPerIp: 8, handshakeTimeoutMs: 300 });
    const t0 = performance.now();
    const ws = new WebSocket(server.url);
    ws.on('error', () => {});
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(4009); // timeout (spec: close codes 40xx)
    expect(performance.now() - t0).toBeLessThan(3000); // the endpoint's deadline, not the 10 s default
  });

  it('still accepts a worker that authenticates', async () => {
    const { server, node } = await linkServer({ maxConnectionsPerIp: 2, handshakeTimeoutMs: 2000 });
    const peer = await linkConnector(createIdentity(generateKeyPair().secretKey))(server.url, node);
    expect(peer.isOpen).toBe(true);
    await peer.close();
  });
});
