import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { suitesFor } from '../src/index';
import { bundleEntry, CONFORMANCE_CLI } from './bundleEntry';
import { checkNode } from './readmeExample';
import {
  makeBlocks,
  type ReferenceNode,
  spawnJson,
  startReferenceNode,
  TEST_HANDSHAKE_MS,
} from './referenceNetwork';

// Three `ailo coordinator` processes: a correct one and two deliberately broken
// builds (AILO_CONFORMANCE_BREAK). The correct one and the block-misordering one
// get a worker and two blocks of inference rewards on their ledgers.
let good: ReferenceNode;
let badSignature: ReferenceNode;
let misorder: ReferenceNode;

beforeAll(async () => {
  const withBlocks = async (n: ReferenceNode) => {
    await makeBlocks(n.http, 2);
    return n;
  };
  [good, badSignature, misorder] = await Promise.all([
    startReferenceNode({ workers: 1 }).then(withBlocks),
    startReferenceNode({ breaks: 'accept-bad-signature' }),
    startReferenceNode({ breaks: 'misorder-blocks', workers: 1 }).then(withBlocks),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([good?.close(), badSignature?.close(), misorder?.close()]);
});

interface CaseLine {
  event: string;
  id: string;
  clause: string;
  status: string;
  message?: string;
}

async function runCli(node: ReferenceNode, extra: string[]) {
  const cli = await bundleEntry(CONFORMANCE_CLI);
  const p = spawnJson(cli, [
    '--target',
    node.ws,
    '--http',
    node.http,
    '--handshake-deadline-ms',
    String(TEST_HANDSHAKE_MS),
    '--wait-ms',
    '3000',
    ...extra,
  ]);
  const code = await p.exited;
  return { code, out: p.lines.join('\n'), lines: p.lines, stderr: p.stderr.join('') };
}

describe('ailo-conformance against `ailo coordinator`', () => {
  test('every case passes, none skipped, exit code 0', async () => {
    const { code, lines, stderr } = await runCli(good, ['--json']);
    const cases = lines.map((l) => JSON.parse(l) as CaseLine).filter((j) => j.event === 'case');
    const expected = suitesFor('coordinator').flatMap((s) => s.cases.map((c) => c.id));
    expect(cases.map((c) => c.id)).toEqual(expected);
    expect(cases.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(code, stderr).toBe(0);
    // every group is represented
    for (const g of ['vectors.', 'handshake.', 'rpc.', 'limits.', 'ledger.', 'fl.'])
      expect(
        cases.some((c) => c.id.startsWith(g)),
        g,
      ).toBe(true);
  }, 60_000);

  test('a build that accepts bad hello signatures fails handshake.bad-signature, naming protocol.md §6.3', async () => {
    const { code, out } = await runCli(badSignature, ['--only', 'handshake.']);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}handshake\.bad-signature {2}\[protocol\.md §6\.3\]/m);
    expect(out).toMatch(/^PASS {2}handshake\.welcome/m);
  }, 30_000);

  test('a build that serves blocks out of order fails ledger.sync-verify, naming ledger.md §9', async () => {
    const { code, out } = await runCli(misorder, ['--only', 'ledger.']);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}ledger\.sync-verify {2}\[ledger\.md §9\]/m);
    expect(out).toContain('BLOCK_HEIGHT_MISMATCH');
    expect(out).toMatch(/^PASS {2}ledger\.params/m);
  }, 30_000);

  test('bad options exit with code 2', async () => {
    const cli = await bundleEntry(CONFORMANCE_CLI);
    expect(await spawnJson(cli, ['--target', 'http://x']).exited).toBe(2);
    expect(await spawnJson(cli, []).exited).toBe(2);
    expect(await spawnJson(cli, ['--target', good.ws, '--role', 'observer']).exited).toBe(2);
  });
});

describe('README', () => {
  test('the example is the code of test/readmeExample.ts and passes against our node', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    const example = readFileSync(join(import.meta.dirname, 'readmeExample.ts'), 'utf8');
    expect(readme).toContain(example.trim());
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await checkNode(good.ws, good.http)).toBe(true);
      expect(log.mock.calls.some(([l]) => String(l).startsWith('PASS  handshake.welcome'))).toBe(true);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
