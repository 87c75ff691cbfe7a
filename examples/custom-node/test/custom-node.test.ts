import { formatResult, runConformance } from '@ailo/conformance/node';
import { createIdentity, MessageRegistry, type Peer, TensorSchema, tensor } from '@ailo/protocol';
import { connectPeer, createPeerServer } from '@ailo/protocol/node';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomNodeRun, runCustomNode } from '../src/main';
import { MAX_STATS_ELEMENTS, statsRegistry } from '../src/statsMessages';
import { type StatsNode, startStatsNode } from '../src/statsNode';

describe('examples/custom-node: the stats.tensor service', () => {
  let node: StatsNode;
  let client: Peer;
  beforeAll(async () => {
    node = await startStatsNode();
    client = await connectPeer(node.url, {
      identity: createIdentity(),
      roles: ['client'],
      registry: statsRegistry(),
    });
  });
  afterAll(async () => {
    await client.close();
    await node.close();
  });

  it('answers count, mean and L2 norm of an f32 tensor, and knows its client', async () => {
    const x = new Float32Array([3, -4, 0.5, 2.5, 1, -1]);
    const r = await client.request('stats.tensor', { x: tensor('f32', [3, 2], x) });
    expect(r.count).toBe(6);
    expect(r.mean).toBeCloseTo(2 / 6, 12);
    expect(r.l2).toBeCloseTo(Math.sqrt(9 + 16 + 0.25 + 6.25 + 1 + 1), 12);
    expect(node.clients()).toContain(client.welcome?.peerId);
  });

  it('refuses other dtypes, too many elements and non-finite values with bad_request; the connection stays', async () => {
    // a client whose schema for stats.tensor admits any tensor, so the node's own checks answer
    const loose = new MessageRegistry()
      .register('stats.tensor', Type.Object({ x: TensorSchema() }), { reply: 'stats.tensor.result' })
      .register('stats.tensor.result', Type.Object({}), { kind: 'reply' });
    const sloppy = await connectPeer(node.url, {
      identity: createIdentity(),
      roles: ['client'],
      registry: loose,
    });
    const bad = [
      tensor('i32', [2], new Int32Array([1, 2])),
      tensor('f32', [MAX_STATS_ELEMENTS + 1], new Float32Array(MAX_STATS_ELEMENTS + 1)),
      tensor('f32', [2], new Float32Array([1, Number.NaN])),
    ];
    try {
      for (const x of bad) {
        const e = await sloppy.request('stats.tensor', { x }).catch((err: unknown) => err);
        expect(e).toMatchObject({ code: 'bad_request' });
        // this client's own schema lets it through: the refusal came from the node
        expect(() => loose.validate('stats.tensor', { x })).not.toThrow();
      }
      const ok = await sloppy.request('stats.tensor', { x: tensor('f32', [], new Float32Array([7])) });
      expect(ok).toEqual({ count: 1, mean: 7, l2: 7 });
    } finally {
      await sloppy.close();
    }
  });

  it('a peer without the extension in its registry gets unsupported from its own side, not a crash', async () => {
    const plain = await connectPeer(node.url, { identity: createIdentity(), roles: ['client'] });
    try {
      await expect(
        plain.request('stats.tensor', { x: tensor('f32', [1], new Float32Array([1])) }),
      ).rejects.toMatchObject({ code: 'unsupported' });
      expect((await plain.request('ping', { ts: 5 })).ts).toBe(5);
    } finally {
      await plain.close();
    }
  });
});

describe('examples/custom-node: checked with @ailo/conformance', () => {
  let run: CustomNodeRun;
  let printed = '';
  beforeAll(async () => {
    run = await runCustomNode({ write: (s) => void (printed += s) });
  }, 120_000);

  it('uses its own service over the wire', () => {
    expect(run.stats).toEqual({ count: 4, mean: 2.5, l2: Math.sqrt(30) });
  });

  it('passes every protocol case (vectors, handshake, messaging, limits) and fails none', () => {
    const protocolCases = run.results.filter((r) => /^(vectors|handshake|rpc|limits)\./.test(r.id));
    expect(protocolCases.length).toBeGreaterThan(40);
    for (const r of protocolCases) expect(r.status, formatResult(r)).toBe('pass');
    expect(run.counts.fail).toBe(0);
    for (const r of run.results) expect(printed).toContain(formatResult(r));
    expect(printed).toContain(`${run.counts.pass} passed, 0 failed, ${run.counts.skip} skipped`);
  });

  it('is skipped (not failed) on the ledger and federated suites, which it does not serve', () => {
    const others = run.results.filter((r) => /^(ledger|fl)\./.test(r.id));
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) expect(r.status, formatResult(r)).toBe('skip');
  });

  it('the check can fail: a node that answers ping with the wrong ts fails rpc.ping', async () => {
    const broken = await createPeerServer({
      host: '127.0.0.1',
      port: 0,
      serverId: 'broken-node',
      onPeer: (peer) => peer.handle('ping', () => ({ ts: 0 })),
    });
    try {
      const [r] = await runConformance({ target: broken.url, only: ['rpc.ping'] });
      expect(r).toMatchObject({ id: 'rpc.ping', status: 'fail' });
      expect(r!.message).toContain('pong.ts does not echo ping.ts');
    } finally {
      await broken.close();
    }
  });
});
