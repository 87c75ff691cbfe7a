import { DEFAULT_INFERENCE_REWARD } from '@ailo/poc';
import { expect, test } from 'vitest';
import type { DemoSummary } from '../src/demo/DemoSummary';
import { tempDir } from './fixtures';
import { spawnCli } from './processes';

// `ailo demo` as a user runs it (a CLI process that starts its own worker
// processes), in a small configuration; run twice on one data directory.
const SMALL = [
  '--no-serve',
  '--json',
  '--port',
  '0',
  '--workers',
  '2',
  '--rounds',
  '1',
  '--layers',
  '2',
  '--hidden',
  '32',
  '--heads',
  '2',
  '--steps',
  '2',
  '--max-tokens',
  '6',
];

async function demo(dataDir: string): Promise<DemoSummary> {
  const p = await spawnCli(['demo', ...SMALL, '--data-dir', dataDir]);
  const code = await p.exited;
  expect(code, p.stderr.join('')).toBe(0);
  expect(p.lines.some((l) => /round \d+: 2 clients/.test(l))).toBe(true);
  return JSON.parse(p.lines[p.lines.length - 1]!) as DemoSummary;
}

test('ailo demo --no-serve --rounds 1 --json: trains, rewards, verifies, generates; a second run continues', async () => {
  const dataDir = tempDir('ailo-demo-');
  const a = await demo(dataDir);
  expect(a.model).toMatchObject({ layers: 2, hidden: 32, vocab: 50257, created: true });
  expect(a.rounds).toHaveLength(1);
  const r = a.rounds[0]!;
  expect(r.round).toBe(0);
  expect(r.accepted).toHaveLength(2);
  expect(r.validationLoss.after).toBeLessThan(r.validationLoss.before);
  expect(BigInt(a.ledger.minted)).toBeGreaterThan(0n);
  expect(BigInt(a.ledger.balances) + BigInt(a.ledger.burned)).toBe(BigInt(a.ledger.minted));
  expect(a.ledger.verified).toBe(true);
  expect(a.ledger.workersAgree).toBe(true);
  expect(a.workers.map((w) => w.span).sort()).toEqual(['0:1', '1:2']);
  expect(a.generation.promptIds.length).toBeGreaterThan(0);
  expect(a.generation.ids).toHaveLength(6);
  expect(a.generation.route.map((h) => [h.start, h.end])).toEqual([
    [0, 1],
    [1, 2],
  ]);
  // workers accept links: every step of the sample went worker to worker
  expect(a.generation.chainedSteps).toBeGreaterThan(0);
  expect(a.generation.relayedSteps).toBe(0);
  // the sample generation pays each worker of its chain `rewards.inference`
  expect(a.generation.rewards.map((m) => m.to).sort()).toEqual(a.workers.map((w) => w.address).sort());
  for (const m of a.generation.rewards) expect(m.amount).toBe(DEFAULT_INFERENCE_REWARD.toString());

  const b = await demo(dataDir);
  expect(b.model.created).toBe(false);
  expect(b.rounds[0]!.round).toBe(1);
  expect(b.rounds[0]!.validationLoss.before).toBeCloseTo(r.validationLoss.after, 4);
  // one block for the round's rewards, one for the sample generation's
  expect(b.ledger.height).toBe(a.ledger.height + 2);
  for (const [i, w] of b.workers.entries()) {
    expect(w.address).toBe(a.workers[i]!.address);
    expect(BigInt(w.balance)).toBeGreaterThan(BigInt(a.workers[i]!.balance));
  }
}, 170_000);
