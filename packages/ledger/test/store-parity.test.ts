import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { browserStore, LedgerNode, type LedgerStore, memoryStore } from '../src/index';
import { classicStore, nodeVerifier } from '../src/node';
import { scenarioChain } from './scenario';
import { testParams } from './testChain';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function dump(store: LedgerStore): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of store.entries('')) out.push([k, Buffer.from(v).toString('hex')]);
  return out;
}

describe('storage backends behave identically', () => {
  it('memory, IndexedDB (browser-level) and LevelDB (classic-level) hold the same bytes and reopen to the same state', async () => {
    const { node: coordinator, blocks } = await scenarioChain();
    const dir = mkdtempSync(join(tmpdir(), 'ailo-ledger-parity-'));
    dirs.push(dir);
    const memory = memoryStore();
    const backends: Array<[string, () => LedgerStore]> = [
      ['memory', () => memory],
      ['browser-level', () => browserStore('ailo-parity')],
      ['classic-level', () => classicStore(join(dir, 'ledger'))],
    ];
    const dumps: Array<Array<[string, string]>> = [];
    for (const [name, make] of backends) {
      const node = await LedgerNode.open({
        store: make(),
        params: testParams(),
        verifier: nodeVerifier,
        clock: () => Date.now() + 1e12,
      });
      for (const b of blocks) await node.applyBlock(b);
      expect(node.tip, name).toEqual(coordinator.tip);
      await node.close();
      // reopen from storage alone
      const store = make();
      const reopened = await LedgerNode.open({ store, verifier: nodeVerifier });
      expect(reopened.tip, name).toEqual(coordinator.tip);
      expect(reopened.supply(), name).toEqual(coordinator.supply());
      expect(await reopened.verifyChain(), name).toMatchObject({ ok: true, height: blocks.length });
      dumps.push(await dump(store));
      await reopened.close();
    }
    expect(dumps[1]).toEqual(dumps[0]);
    expect(dumps[2]).toEqual(dumps[0]);
    expect(dumps[0]!.length).toBeGreaterThan(30);
  });
});
