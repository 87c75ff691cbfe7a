import { afterAll, beforeAll, expect, test } from 'vitest';
import { suitesFor } from '../src/index';
import { runConformance } from '../src/node';
import { AILO_CLI, bundleEntry } from './bundleEntry';
import {
  FIXTURES,
  type JsonProcess,
  type ReferenceNode,
  spawnJson,
  startReferenceNode,
} from './referenceNetwork';

// role worker: the suite listens as a coordinator, an `ailo worker` process dials
// it, and the model files come from a reference coordinator's HTTP server.
let files: ReferenceNode;
let worker: JsonProcess | undefined;

beforeAll(async () => {
  files = await startReferenceNode({ rounds: false });
}, 60_000);

afterAll(async () => {
  await worker?.kill();
  await files?.close();
});

test('`ailo worker` passes every stage case against the fixture logits', async () => {
  const cli = await bundleEntry(AILO_CLI);
  const results = await runConformance({
    target: 'ws://127.0.0.1:0',
    role: 'worker',
    http: files.http,
    fixtures: FIXTURES,
    waitMs: 5000,
    onListening: (url) => {
      worker = spawnJson(cli, [
        'worker',
        '--coordinator',
        url,
        '--layers',
        '0:2',
        '--model',
        'tiny-gpt2',
        '--json',
      ]);
    },
  });
  expect(results.map((r) => r.id)).toEqual(suitesFor('worker')[0]!.cases.map((c) => c.id));
  expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
}, 60_000);
