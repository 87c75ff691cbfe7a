import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encodeEnvelope } from '../src/envelope';
import { Peer } from '../src/peer/Peer';

// A remote in a worker thread keeps sending while this thread is blocked: after the stall, its
// frames wait in the socket. The heartbeat must read them before it calls the remote dead.
const REMOTE = `
const { parentPort, workerData } = require('node:worker_threads');
const { WebSocketServer } = require(workerData.ws);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => parentPort.postMessage(wss.address().port));
wss.on('connection', (socket) => {
  socket.on('message', () => {}); // replies to its pings
  const timer = setInterval(() => socket.send(workerData.frame), 20);
  socket.on('close', () => clearInterval(timer));
});
parentPort.on('message', () => wss.close(() => process.exit(0)));
`;

const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
});

function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // the event loop cannot run: timers and sockets pile up
  }
}

it('a stalled event loop does not make a live remote look dead', async () => {
  const frame = encodeEnvelope({ v: 1, t: 'ping', id: 1, body: { ts: 1 } });
  const worker = new Worker(REMOTE, {
    eval: true,
    workerData: { ws: createRequire(import.meta.url).resolve('ws'), frame },
  });
  workers.push(worker);
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(socket as never, { heartbeatMs: 100, heartbeatTimeoutMs: 300 });
  await new Promise((r) => setTimeout(r, 150)); // frames flowing
  block(800); // longer than the heartbeat timeout
  await new Promise((r) => setTimeout(r, 200));
  expect(peer.isOpen).toBe(true);
  await peer.close();
  worker.postMessage('stop');
});
