import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChainTip, LedgerNode, UNITS_PER_ALC } from '../src/index';
import { classicStore, nodeVerifier } from '../src/node';
import { fastSign } from './fastSign';
import { COORDINATOR, openTestNode, testKey, testParams } from './testChain';

const BLOCKS = 4;
const TXS_PER_BLOCK = 600;
const RECIPIENTS = Array.from({ length: 40 }, (_, i) => testKey(10_000 + i).address);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Blocks of many mints with long memos, so each batch write is large. */
async function makeChain(blockDir: string): Promise<ChainTip[]> {
  const node = await openTestNode();
  const tips: ChainTip[] = [{ ...node.tip }];
  let nonce = 0n;
  for (let b = 0; b < BLOCKS; b++) {
    const txs = Array.from({ length: TXS_PER_BLOCK }, (_, i) =>
      fastSign(COORDINATOR, {
        type: 'MINT',
        to: RECIPIENTS[(b * TXS_PER_BLOCK + i) % RECIPIENTS.length]!,
        amount: UNITS_PER_ALC,
        reason: 'training',
        reference: `round-${b}`,
        memo: 'm'.repeat(256),
        nonce: nonce++,
        timestamp: 1_700_000_000_000,
      }),
    );
    const results = await node.submitMany(txs);
    expect(results.every((r) => r.ok)).toBe(true);
    const { bytes } = await node.produceBlock();
    writeFileSync(join(blockDir, `${node.tip.height}.bin`), bytes);
    tips.push({ ...node.tip });
  }
  return tips;
}

/** Runs the child until it prints `trigger` (then SIGKILLs it after `delayMs`) or exits. */
function runChild(
  dataDir: string,
  blockDir: string,
  trigger: RegExp | null,
  delayMs: number,
): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'recoveryChild.ts'), dataDir, blockDir, String(BLOCKS)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let armed = false;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (trigger && !armed && trigger.test(out)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, out });
      else if (code === 0) resolve({ killed: false, out });
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

describe('crash recovery', () => {
  it('a process SIGKILLed while applying blocks reopens to a consistent state and resumes', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ailo-ledger-recovery-'));
    dirs.push(work);
    const blockDir = join(work, 'blocks');
    const dataDir = join(work, 'data');
    await import('node:fs/promises').then((fs) => Promise.all([fs.mkdir(blockDir), fs.mkdir(dataDir)]));
    const tips = await makeChain(blockDir);
    // create the chain on disk, then let children apply and die
    const init = await LedgerNode.open({
      store: classicStore(join(dataDir, 'ledger')),
      params: testParams(),
    });
    await init.close();

    // kill inside a batch write (right after the child announces it), then at random moments
    const plans: Array<[RegExp, number]> = [
      [/writing \d+\n$/, 0],
      [/applied \d+\n/, 7],
      [/writing \d+\n$/, 1],
    ];
    let kills = 0;
    for (const [trigger, delay] of plans) {
      const { killed } = await runChild(dataDir, blockDir, trigger, delay);
      if (killed) kills++;
      const node = await LedgerNode.open({
        store: classicStore(join(dataDir, 'ledger')),
        verifier: nodeVerifier,
      });
      // the tip is one of the coordinator's tips: all of a block or none of it
      expect(node.tip).toEqual(tips[node.tip.height]);
      const report = await node.verifyChain();
      expect(report).toMatchObject({ ok: true, height: node.tip.height, stateHash: node.tip.stateHash });
      expect(report.minted).toBe(BigInt(node.tip.height * TXS_PER_BLOCK) * UNITS_PER_ALC);
      await node.close();
    }
    expect(kills).toBeGreaterThan(0);
    const { out } = await runChild(dataDir, blockDir, null, 0);
    expect(out).toContain('done');
    const final = await LedgerNode.open({
      store: classicStore(join(dataDir, 'ledger')),
      verifier: nodeVerifier,
    });
    expect(final.tip).toEqual(tips[BLOCKS]);
    expect((await final.verifyChain()).ok).toBe(true);
    await final.close();
  }, 60_000);
});
