import { expect, test } from 'vitest';
import { formatLoadReport, runLoad } from './load/runLoad';

// The reduced size of `node scripts/load.mjs` (64 sessions, 200 clients).
test('load: 8 concurrent chat sessions over 4 worker processes and 20 federated clients lose and duplicate nothing', async () => {
  const r = await runLoad({ sessions: 8, clients: 20, maxTokens: 12 });
  const chat = r.chat!;
  const fl = r.federated!;
  expect(chat.errors, formatLoadReport(r)).toEqual({});
  expect(chat.tokens).toBe(8 * 12);
  expect([chat.lost, chat.duplicated, chat.mismatched]).toEqual([0, 0, 0]);
  expect(chat.tokensPerSecond).toBeGreaterThan(0);
  expect(chat.firstTokenP99Ms).toBeGreaterThanOrEqual(chat.firstTokenP50Ms);
  expect(chat.interTokenP99Ms).toBeGreaterThanOrEqual(chat.interTokenP50Ms);
  expect(fl.accepted + fl.rejected).toBe(20);
  expect([fl.lost, fl.duplicated]).toEqual([0, 0]);
  expect(fl.accepted).toBeGreaterThan(10);
  expect(fl.ledgerVerified).toBe(true);
  expect(fl.supplyHolds).toBe(true);
  expect(r.ok).toBe(true);
}, 90_000);
