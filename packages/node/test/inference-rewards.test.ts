import { buildTransaction, decodeBlock, generateKeyPair, signTransaction, UNITS_PER_ALC } from '@ailo/ledger';
import { DEFAULT_INFERENCE_REWARD } from '@ailo/poc';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CoordinatorNode, startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { brownValidationPool } from '../src/data/brownShards';
import { createTinyModel } from '../src/model/createTinyModel';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { tempDir } from './fixtures';

// Two in-process workers split a tiny model; every completed API generation pays
// each worker of its chain `rewards.inference`, and nothing else.
const data = tempDir();
const modelDir = `${data}/tiny`;
createTinyModel(modelDir, { layers: 2, hidden: 16, heads: 2, context: 32 }, 5);
const keys = [generateKeyPair(), generateKeyPair()];
let node: CoordinatorNode;
let workers: RunningWorker[];
let client: OpenAI;

beforeAll(async () => {
  node = await startCoordinatorNode({
    dataDir: `${data}/coord`,
    port: 0,
    models: [{ dir: modelDir }],
    blockIntervalMs: 100,
    // two rewarded completions per (requester, worker) pair per hour
    training: {
      chainId: 'ailo-test',
      validation: brownValidationPool(32, 4),
      poc: { inference: { perPair: { max: 2 } } },
    },
  });
  workers = keys.map((key, i) =>
    startWorker({ coordinator: node.coordinator.url, layers: { start: i, end: i + 1 }, key }),
  );
  await node.coordinator.waitForCoverage(undefined, 20_000);
  client = new OpenAI({ baseURL: `${node.coordinator.httpUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.stop();
  await node.close();
});

async function inferenceMints(): Promise<{ to: string; amount: bigint; reference: string }[]> {
  const out: { to: string; amount: bigint; reference: string }[] = [];
  for await (const bytes of node.ledger!.node.blocksFrom(1)) {
    for (const t of decodeBlock(bytes, 'ailo-test').transactions) {
      if (t.tx.type === 'MINT' && t.tx.reason === 'inference')
        out.push({ to: t.tx.to!, amount: t.tx.amount, reference: t.tx.reference });
    }
  }
  return out;
}

describe('inference rewards', () => {
  test('a completed generation pays each worker of the chain once; a failed one pays nothing', async () => {
    const r = await client.completions.create({
      model: 'tiny',
      prompt: 'The jury',
      max_tokens: 4,
      temperature: 0,
    });
    await expect(
      client.completions.create({ model: 'tiny', prompt: 'x', max_tokens: 999_999, temperature: 0 }),
    ).rejects.toThrow();
    await node.payouts!.flush();
    const mints = await inferenceMints();
    expect(mints.map((m) => m.to).sort()).toEqual(keys.map((k) => k.address).sort());
    for (const m of mints) {
      expect(m.amount).toBe(DEFAULT_INFERENCE_REWARD);
      expect(m.reference).toBe(`infer/${r.id}`);
    }
    const s = await node.ledger!.summary();
    expect(s.balances + s.burned).toBe(s.minted);
    expect((await node.ledger!.verify()).ok).toBe(true);
  });

  test('streamed completions are paid too, up to the per-pair limit', async () => {
    for (let i = 0; i < 2; i++) {
      const stream = await client.chat.completions.create({
        model: 'tiny',
        messages: [{ role: 'user', content: `hello ${i}` }],
        max_tokens: 3,
        temperature: 0,
        stream: true,
      });
      for await (const _ of stream);
    }
    await node.payouts!.flush();
    const mints = await inferenceMints();
    // 1 (first test) + 1 streamed are paid per worker; the third completion hits perPair.max = 2
    for (const k of keys) expect(mints.filter((m) => m.to === k.address)).toHaveLength(2);
    expect(new Set(mints.map((m) => m.reference)).size).toBe(2);
  });
});

test('a transfer submitted to the coordinator is sealed into a block without anyone asking', async () => {
  const [from] = keys;
  const to = generateKeyPair();
  const ledger = node.ledger!;
  const tx = buildTransaction({
    type: 'TRANSFER',
    from: from!.address,
    to: to.address,
    amount: UNITS_PER_ALC / 100n,
    nonce: ledger.node.nextNonce(from!.address),
  });
  const height = ledger.height;
  await ledger.node.submit(signTransaction(tx, from!, 'ailo-test').bytes);
  const end = Date.now() + 10_000;
  while (ledger.height === height && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  expect(ledger.height).toBe(height + 1);
  expect(ledger.node.account(to.address).locked).toBe(UNITS_PER_ALC / 100n); // spendable after 10 VERIFYs
});
