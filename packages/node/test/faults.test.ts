import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAll } from '@ailo/pipeline';
import { createIdentity, openClientPeer, ProtocolError } from '@ailo/protocol';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { isNodeError } from '../src/errors';
import { nodeRegistry } from '../src/wire/messages';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { fixtureModelDir, tempDir } from './fixtures';

let c: Coordinator | undefined;
const running: RunningWorker[] = [];

async function coordinator(
  opts: Partial<Parameters<typeof startCoordinatorNode>[0]> = {},
): Promise<Coordinator> {
  const data = tempDir();
  c = (
    await startCoordinatorNode({
      dataDir: `${data}/coord`,
      port: 0,
      models: [{ dir: fixtureModelDir('gpt2', data) }],
      ...opts,
    })
  ).coordinator;
  return c;
}

function worker(opts: Partial<Parameters<typeof startWorker>[0]>): RunningWorker {
  const w = startWorker({ reconnectBaseMs: 20, ...opts, coordinator: opts.coordinator ?? c!.url });
  running.push(w);
  return w;
}

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  for (const w of running.splice(0)) await w.stop();
  await c?.close();
  c = undefined;
});

describe('bad input and faults', () => {
  test('a worker fed a corrupted chunk refuses it (sha256 mismatch) and is reported failed', async () => {
    const coord = await coordinator();
    const m = coord.model();
    const dir = (m.store as unknown as { dir: string }).dir;
    const chunk = readdirSync(dir).find((f) => f.startsWith('chunk-'))!;
    const bytes = readFileSync(join(dir, chunk));
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(join(dir, chunk), bytes);
    worker({ layers: { start: 0, end: 1 } });
    await until(() => coord.workers.list()[0]?.state === 'failed');
    const w = coord.workers.list()[0]!;
    expect(w.error).toMatch(/cannot load tiny-gpt2\[0:1\)/);
    expect(w.error).toMatch(/chunk-00000\.bin.*failed verification|sha256/i);
    await expect(coord.waitForCoverage(undefined, 50)).rejects.toMatchObject({ code: 'layers_unavailable' });
  });

  test('a peer speaking another protocol version is refused with version_mismatch and does not retry', async () => {
    await coordinator();
    const w = worker({ protocolVersion: 2 });
    const e = await w.done.catch((x) => x);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.code).toBe('version_mismatch');
    expect(c!.workers.list()).toHaveLength(0);
  });

  test('joining an unknown model, or layers outside the model, is refused permanently', async () => {
    await coordinator();
    const a = await worker({ model: 'nope' }).done.catch((x) => x);
    expect(a.code).toBe('not_found');
    expect(a.shortMessage).toContain('nope');
    const b = await worker({ layers: { start: 1, end: 5 } }).done.catch((x) => x);
    expect(b.code).toBe('bad_request');
    expect(b.shortMessage).toContain('1:5');
  });

  test('an oversized frame closes the connection with too_large before it is decoded', async () => {
    const coord = await coordinator({ limits: { maxFrameBytes: 4096 } });
    const ws = new WebSocket(coord.url);
    const peer = await openClientPeer(ws as never, { identity: createIdentity(), registry: nodeRegistry() });
    expect(peer.remoteLimits.maxFrameBytes).toBe(4096);
    // the sender refuses to send past the limits the coordinator announced
    const big = await peer.request('ping', { ts: 1, pad: 'y'.repeat(8000) } as never).catch((x) => x);
    expect(big.code).toBe('too_large');
    // a raw frame past the limit: the coordinator closes the connection
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.send(new Uint8Array(10_000));
    expect([1009, 4001]).toContain(await closed);
  });

  test('too many sessions on a worker: overloaded (retryable), not a crash', async () => {
    const coord = await coordinator();
    worker({ layers: { start: 0, end: 2 }, maxSessions: 1 });
    await coord.waitForCoverage(undefined, 10_000);
    const p = coord.pipeline();
    await p.forward('s1', [[1, 2, 3]]);
    const e = await p.forward('s2', [[1, 2, 3]]).catch((x) => x);
    expect(isNodeError(e, 'overloaded')).toBe(true);
    expect(e.retryable).toBe(true);
    await p.close('s1');
    const r = await generateAll(p, [1, 2, 3], { maxTokens: 3, greedy: true });
    expect(r.ids).toHaveLength(3);
  });

  test('bad token ids and padding masks are refused before any hop', async () => {
    const coord = await coordinator();
    worker({ layers: { start: 0, end: 2 } });
    await coord.waitForCoverage(undefined, 10_000);
    const p = coord.pipeline();
    for (const [ids, mask] of [[[[12]]], [[[1.5]]], [[[1, 2], [3]]], [[[1, 2]], [[0, 1]]], [[]]] as [
      number[][],
      number[][]?,
    ][]) {
      const e = await p.forward('bad', ids, mask ? { mask } : {}).catch((x) => x);
      expect(isNodeError(e, 'bad_request')).toBe(true);
    }
    const past = await p.forward('bad', [[1]], { pastLength: 3 }).catch((x) => x);
    expect(isNodeError(past, 'unknown_session')).toBe(true);
    const over = await p.forward('bad', [Array.from({ length: 17 }, () => 1)]).catch((x) => x);
    expect(isNodeError(over, 'bad_request')).toBe(true);
    expect(coord.workers.list()[0]!.steps).toBe(0);
  });

  test('a worker reconnects with backoff after the coordinator restarts, and serves again', async () => {
    const data = tempDir();
    const dir = fixtureModelDir('gpt2', data);
    let coord = (await startCoordinatorNode({ dataDir: `${data}/coord`, port: 0, models: [{ dir }] }))
      .coordinator;
    const port = coord.port;
    const w = worker({ coordinator: coord.url, layers: { start: 0, end: 2 } });
    await coord.waitForCoverage(undefined, 10_000);
    const before = (await generateAll(coord.pipeline(), [1, 2], { maxTokens: 5, greedy: true })).ids;
    await coord.close();
    coord = (await startCoordinatorNode({ dataDir: `${data}/coord`, port })).coordinator;
    c = coord;
    await coord.waitForCoverage(undefined, 10_000);
    expect((await generateAll(coord.pipeline(), [1, 2], { maxTokens: 5, greedy: true })).ids).toEqual(before);
    expect(w.core.held?.start).toBe(0);
  });
});
