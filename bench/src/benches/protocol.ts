import type { AddressInfo } from 'node:net';
import { createIdentity, decodeMessage, encodeMessage, type Peer, tensor } from '@ailo/protocol';
import { connectPeer, createPeerServer } from '@ailo/protocol/node';
import { WebSocket, WebSocketServer } from 'ws';
import { meanMs } from '../harness';
import type { BenchModule, Figure } from '../types';

const GB = 1e9;

/** An infer.forward frame carrying hidden states [tokens, 768] f32. */
function forward(tokens: number) {
  const data = new Float32Array(tokens * 768).map((_, i) => Math.sin(i));
  return {
    v: 1 as const,
    t: 'infer.forward',
    id: 7,
    body: { session: 'bench', step: 1, position: 0, input: tensor('f32', [tokens, 768], data) },
  };
}

/**
 * Encode+decode of a tensor frame (GB/s of tensor bytes) vs one Buffer.copy of the same bytes into a
 * warm buffer (the goal's peer), and vs Buffer.from (a fresh allocation + copy). Peers run first in
 * each repetition, so the garbage our frames leave is not collected on their clock.
 */
async function codecFigures(tokens: number, reps: number, timeMs: number): Promise<Figure[]> {
  const envelope = forward(tokens);
  const bytes = envelope.body.input.data.byteLength;
  const src = Buffer.from(envelope.body.input.data.buffer);
  const dst = Buffer.allocUnsafe(bytes);
  let sink = 0;
  const ours: number[] = [];
  const copy: number[] = [];
  const fresh: number[] = [];
  for (let r = 0; r < reps; r++) {
    const peers = await meanMs(
      {
        copy: () => {
          sink += src.copy(dst);
        },
        fresh: () => {
          sink += Buffer.from(src).length;
        },
      },
      timeMs,
    );
    const ms = await meanMs(
      {
        ours: () => {
          // the receive path of a Peer: the frame is consumed, tensor data is aligned in place
          const frame = encodeMessage(envelope);
          sink += decodeMessage(frame, { inPlace: true }).body.input ? 1 : 0;
        },
      },
      timeMs,
    );
    ours.push(bytes / GB / (ms.ours! / 1000));
    copy.push(bytes / GB / (peers.copy! / 1000));
    fresh.push(bytes / GB / (peers.fresh! / 1000));
  }
  if (sink < 0) throw new Error('unreachable');
  const size = `${(bytes / 1024).toFixed(0)} KiB f32`;
  return [
    {
      name: `tensor frame encode+decode, ${size} (peer: Buffer.copy)`,
      unit: 'GB/s',
      higherIsBetter: true,
      samples: ours,
      peer: { name: 'Buffer.copy into a warm buffer', samples: copy },
      goal: '>= 0.5x Buffer.copy',
      goalRatio: 0.5,
    },
    {
      name: `tensor frame encode+decode, ${size} (peer: Buffer.from)`,
      unit: 'GB/s',
      higherIsBetter: true,
      samples: ours,
      peer: { name: 'Buffer.from: allocate + copy', samples: fresh },
    },
  ];
}

/** Mean round trip (ms) of `count` sequential exchanges done by `once`. */
async function roundTrips(once: () => Promise<unknown>, count: number): Promise<number> {
  for (let i = 0; i < Math.min(20, count); i++) await once(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await once();
  return (performance.now() - t0) / count;
}

/** A raw ws echo server and client: the peer of the Peer round trip. */
async function rawEcho(): Promise<{
  exchange: (frame: Uint8Array) => Promise<unknown>;
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(data)));
  const port = (wss.address() as AddressInfo).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise((r) => ws.once('open', r));
  let waiting: ((data: Buffer) => void) | undefined;
  ws.on('message', (data: Buffer) => waiting?.(data));
  return {
    exchange: (frame) =>
      new Promise((resolve) => {
        waiting = resolve;
        ws.send(frame);
      }),
    close: async () => {
      ws.terminate();
      await new Promise((r) => wss.close(r));
    },
  };
}

/** Peer request/response (ms per round trip) vs raw ws echo of the same frame bytes. */
async function roundTripFigures(reps: number, count: number): Promise<Figure[]> {
  const server = await createPeerServer({
    port: 0,
    host: '127.0.0.1',
    serverId: 'bench',
    heartbeatMs: 0,
    onPeer: (p) =>
      p.handle('infer.forward', (body) => ({
        session: body.session,
        step: body.step,
        output: body.input as never,
      })),
  });
  const peer: Peer = await connectPeer(server.url, { identity: createIdentity(), heartbeatMs: 0 });
  const raw = await rawEcho();
  const figures: Figure[] = [];
  try {
    for (const tokens of [1, 16]) {
      const { body } = forward(tokens);
      const frame = encodeMessage(forward(tokens));
      const ours: number[] = [];
      const base: number[] = [];
      for (let r = 0; r < reps; r++) {
        ours.push(await roundTrips(() => peer.request('infer.forward', body), count));
        base.push(await roundTrips(() => raw.exchange(frame), count));
      }
      figures.push({
        name: `request/response round trip, ${(frame.length / 1024).toFixed(1)} KiB frame (peer: raw ws echo)`,
        unit: 'ms',
        higherIsBetter: false,
        samples: ours,
        peer: { name: 'raw ws send/receive', samples: base },
        goal: '<= 1.2x raw ws',
        goalRatio: 1 / 1.2,
      });
    }
  } finally {
    await peer.close();
    await raw.close();
    await server.close();
  }
  return figures;
}

const bench: BenchModule = {
  name: 'protocol',
  description: 'tensor frame codec vs Buffer.copy; Peer request/response over loopback ws vs raw ws',
  async run(ctx) {
    const reps = ctx.smoke ? 1 : 7;
    const timeMs = ctx.smoke ? 20 : 300;
    const figures: Figure[] = [];
    for (const tokens of ctx.smoke ? [16] : [16, 1024]) {
      figures.push(...(await codecFigures(tokens, reps, timeMs)));
      ctx.log(`protocol: codec ${tokens}×768 done`);
    }
    figures.push(...(await roundTripFigures(reps, ctx.smoke ? 20 : 500)));
    return figures;
  },
};

export default bench;
