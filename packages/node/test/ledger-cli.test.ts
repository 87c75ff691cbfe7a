import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChainParams, generateKeyPair, LedgerNode, parseAlc } from '@ailo/ledger';
import { classicStore, ledgerDir, nodeVerifier, readKeyFile } from '@ailo/ledger/node';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';

const work = mkdtempSync(join(tmpdir(), 'ailo-ledger-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.AILO_PASSPHRASE;
  process.exitCode = undefined;
});

async function ailo(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'ailo', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

async function failure(...args: string[]): Promise<{ code?: string }> {
  try {
    await ailo(...args);
  } catch (e) {
    return e as { code?: string };
  }
  throw new Error('expected the command to fail');
}

/** A small chain on disk: 2 mints, a username, a transfer. */
async function makeLedger(dataDir: string) {
  const coordinator = generateKeyPair();
  const alice = generateKeyPair();
  const bob = generateKeyPair();
  const node = await LedgerNode.open({
    store: classicStore(ledgerDir(dataDir)),
    params: createChainParams({ chainId: 'ailo-cli', coordinator: coordinator.address }),
    blockSigner: coordinator,
    verifier: nodeVerifier,
  });
  await node.mint({ to: alice.address, amount: parseAlc('2'), reason: 'training', reference: 'round-1' });
  await node.mint({ to: bob.address, amount: parseAlc('1'), reason: 'inference', reference: 'req-1' });
  await node.produceBlock();
  await node.submit(node.sign(alice, { type: 'REGISTER', reference: 'alice' }));
  await node.submit(node.sign(alice, { type: 'TRANSFER', to: bob.address, amount: parseAlc('0.5') }));
  await node.produceBlock();
  const tip = { ...node.tip };
  await node.close();
  return { alice, bob, tip };
}

describe('ailo wallet', () => {
  it('new writes a 0600 key file; show prints its address', async () => {
    const path = join(work, 'key.json');
    const created = JSON.parse(await ailo('wallet', 'new', '--out', path, '--json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(created.address).toMatch(/^ailo1[02-9ac-hj-np-z]{58}$/);
    expect((await readKeyFile(path)).address).toBe(created.address);
    const shown = JSON.parse(await ailo('wallet', 'show', '--key', path, '--json'));
    expect(shown).toEqual({
      address: created.address,
      publicKey: created.publicKey,
      encrypted: false,
      checked: true,
    });
    expect(await ailo('wallet', 'show', '--key', path)).toContain(created.address);
    expect((await failure('wallet', 'new', '--out', path)).code).toBe('KEY_FILE_EXISTS');
    await ailo('wallet', 'new', '--out', path, '--force');
    expect((await readKeyFile(path)).address).not.toBe(created.address);
  });

  it('new --passphrase encrypts; show checks it only with the passphrase', async () => {
    const path = join(work, 'sealed.json');
    process.env.AILO_PASSPHRASE = 'tr0ub4dor';
    const created = JSON.parse(await ailo('wallet', 'new', '--out', path, '--passphrase', '--json'));
    expect(created.encrypted).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).secretKey).toBeUndefined();
    expect(JSON.parse(await ailo('wallet', 'show', '--key', path, '--json')).checked).toBe(true);
    process.env.AILO_PASSPHRASE = 'wrong';
    expect((await failure('wallet', 'show', '--key', path)).code).toBe('KEY_FILE_DECRYPT_FAILED');
    delete process.env.AILO_PASSPHRASE;
    expect(JSON.parse(await ailo('wallet', 'show', '--key', path, '--json'))).toMatchObject({
      encrypted: true,
      checked: false,
    });
    expect((await failure('wallet', 'show', '--key', join(work, 'missing.json'))).code).toBe(
      'KEY_FILE_MALFORMED',
    );
  });
});

describe('ailo ledger', () => {
  it('verify --json prints height, state hash, totals and ok', async () => {
    const dataDir = join(work, 'node-a');
    const { tip } = await makeLedger(dataDir);
    const report = JSON.parse(await ailo('ledger', 'verify', '--data-dir', dataDir, '--json'));
    expect(report).toEqual({
      height: 2,
      stateHash: tip.stateHash,
      minted: parseAlc('3').toString(),
      burned: '500000',
      accounts: 3, // alice, bob and the coordinator (also the fee operator here)
      ok: true,
    });
    expect(Object.keys(report)).toEqual(['height', 'stateHash', 'minted', 'burned', 'accounts', 'ok']);
    expect(await ailo('ledger', 'verify', '--data-dir', dataDir)).toMatch(/^ok: height 2/);
    expect(process.exitCode).toBeUndefined();
  });

  it('balance accepts an address or a username', async () => {
    const dataDir = join(work, 'node-b');
    const { alice, bob } = await makeLedger(dataDir);
    const byName = JSON.parse(await ailo('ledger', 'balance', 'alice', '--data-dir', dataDir, '--json'));
    expect(byName).toMatchObject({
      address: alice.address,
      username: 'alice',
      balance: parseAlc('1.49').toString(),
    });
    const byAddress = JSON.parse(
      await ailo('ledger', 'balance', bob.address, '--data-dir', dataDir, '--json'),
    );
    expect(byAddress).toMatchObject({
      balance: parseAlc('1.5').toString(),
      spendable: parseAlc('1').toString(),
      locked: parseAlc('0.5').toString(),
    });
    expect(await ailo('ledger', 'balance', 'alice', '--data-dir', dataDir)).toContain('balance 1.49 ALC');
    expect((await failure('ledger', 'balance', 'nobody', '--data-dir', dataDir)).code).toBe(
      'UNKNOWN_ACCOUNT',
    );
    const typo = `${bob.address.slice(0, 20)}${bob.address[20] === 'q' ? 'p' : 'q'}${bob.address.slice(21)}`;
    expect((await failure('ledger', 'balance', typo, '--data-dir', dataDir)).code).toBe('INVALID_ADDRESS');
    expect((await failure('ledger', 'balance', 'Bob!', '--data-dir', dataDir)).code).toBe('INVALID_ADDRESS');
  });

  it('verify reports a tampered ledger with ok: false and exit code 1', async () => {
    const dataDir = join(work, 'node-c');
    const { bob } = await makeLedger(dataDir);
    // replace stored block 2 with garbage; state and tip are untouched, so only the replay notices
    const store = classicStore(ledgerDir(dataDir));
    await store.open();
    await store.write([
      { type: 'put', key: 'b:000000000002', value: new Uint8Array([0x92, 0xc4, 0x00, 0x90]) },
    ]);
    await store.close();
    const report = JSON.parse(await ailo('ledger', 'verify', '--data-dir', dataDir, '--json'));
    expect(report.ok).toBe(false);
    expect(report.error.code).toMatch(/^(ENCODING_|WRONG_)/);
    expect(report.height).toBe(1);
    expect(process.exitCode).toBe(1);
    expect(bob.address).toBeTruthy();
  });

  it('a missing ledger is an error, not a new empty ledger', async () => {
    const dataDir = join(work, 'nothing-here');
    expect((await failure('ledger', 'balance', 'alice', '--data-dir', dataDir)).code).toBe('STORE_EMPTY');
    const report = JSON.parse(await ailo('ledger', 'verify', '--data-dir', dataDir, '--json'));
    expect(report).toMatchObject({ ok: false, error: { code: 'STORE_EMPTY' } });
    expect(() => statSync(join(dataDir, 'ledger'))).toThrow();
  });
});
