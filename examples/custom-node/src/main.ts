/**
 * A minimal third-party node written against `@ailo/protocol`, checked with `@ailo/conformance`:
 * starts the node, calls its `stats.tensor` service as a client would, then runs the coordinator
 * conformance suites against it over the wire and prints one line per case.
 *
 *   npx tsx --conditions=source src/main.ts
 */
import { pathToFileURL } from 'node:url';
import type { CaseResult } from '@ailo/conformance';
import { formatResult, runConformance } from '@ailo/conformance/node';
import { createIdentity, tensor } from '@ailo/protocol';
import { connectPeer } from '@ailo/protocol/node';
import { statsRegistry } from './statsMessages';
import { startStatsNode } from './statsNode';

/** The node's hello deadline: short, so the conformance case that waits it out stays short. ms */
export const HELLO_TIMEOUT_MS = 2000;

/** What {@link runCustomNode} saw. */
export interface CustomNodeRun {
  /** the `stats.tensor` reply to [1, 2, 3, 4] */
  stats: Record<string, unknown>;
  results: CaseResult[];
  counts: { pass: number; fail: number; skip: number };
}

/** Options of {@link runCustomNode}. */
export interface CustomNodeOptions {
  /** run only cases whose id starts with one of these */
  only?: readonly string[];
  /** where output goes (default stdout) */
  write?: (text: string) => void;
}

/** Starts the node, uses it, checks it with the conformance suites, stops it. */
export async function runCustomNode(opts: CustomNodeOptions = {}): Promise<CustomNodeRun> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const node = await startStatsNode({ helloTimeoutMs: HELLO_TIMEOUT_MS });
  try {
    write(`${node.serverId} listening on ${node.url}\n`);
    // a client: any Ed25519 identity, the same registry so it knows the `stats` family
    const client = await connectPeer(node.url, {
      identity: createIdentity(),
      roles: ['client'],
      registry: statsRegistry(),
    });
    const stats = await client.request('stats.tensor', {
      x: tensor('f32', [2, 2], new Float32Array([1, 2, 3, 4])),
    });
    write(`stats.tensor([[1, 2], [3, 4]]) → ${JSON.stringify(stats)}\n`);
    await client.close();

    write('\nconformance (role coordinator):\n');
    const results = await runConformance({
      target: node.url,
      role: 'coordinator',
      handshakeDeadlineMs: HELLO_TIMEOUT_MS,
      ...(opts.only ? { only: opts.only } : {}),
      onResult: (r) => write(`${formatResult(r)}\n`),
    });
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const r of results) counts[r.status]++;
    write(`\n${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped\n`);
    return { stats, results, counts };
  } finally {
    await node.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCustomNode().then(
    (r) => {
      process.exitCode = r.counts.fail === 0 ? 0 : 1;
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
