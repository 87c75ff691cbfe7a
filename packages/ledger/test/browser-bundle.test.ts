import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'ailo-ledger-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('main entry in a browser bundle', () => {
  it('bundles for the browser without Node built-ins, and the bundle runs a chain', async () => {
    const outfile = join(dir, 'ledger.browser.mjs');
    const result = await build({
      entryPoints: [join(import.meta.dirname, '..', 'src', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith('node:') || p.includes('classic-level'))).toEqual([]);

    const L = await import(pathToFileURL(outfile).href);
    const coordinator = L.generateKeyPair();
    const alice = L.generateKeyPair();
    const params = L.createChainParams({ chainId: 'ailo-browser', coordinator: coordinator.address });
    const chain = await L.LedgerNode.open({ store: L.memoryStore(), params, blockSigner: coordinator });
    await chain.mint({ to: alice.address, amount: 5n, reason: 'training', reference: 'r' });
    const { bytes } = await chain.produceBlock();
    const follower = await L.LedgerNode.open({ store: L.memoryStore(), params });
    await follower.applyBlock(bytes);
    expect(follower.tip.stateHash).toBe(chain.tip.stateHash);
    expect((await follower.verifyChain()).ok).toBe(true);
  });
});
