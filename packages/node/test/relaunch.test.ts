import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { NODE_ROLE_FLAGS, needsRelaunch } from '../src/cli/nodeFlags';
import { bundleCli } from './bundleCli';
import { REPO } from './processes';

const FLAG = NODE_ROLE_FLAGS[0]!;

describe('needsRelaunch', () => {
  const argv = (...a: string[]) => ['node', 'ailo', ...a];

  it('relaunches serving commands started without the flags', () => {
    for (const c of ['coordinator', 'worker', 'demo'])
      expect(needsRelaunch(argv(c, '--port', '1'), [], {})).toBe(true);
    expect(needsRelaunch(argv('worker'), ['--conditions=source'], {})).toBe(true);
  });

  it('runs in place with the flags, for other commands, when relaunched or opted out', () => {
    expect(needsRelaunch(argv('worker'), [FLAG], {})).toBe(false);
    expect(needsRelaunch(argv('worker'), ['--initial_old_space_size=512'], {})).toBe(false);
    expect(needsRelaunch(argv('wallet', 'new'), [], {})).toBe(false);
    expect(needsRelaunch(argv(), [], {})).toBe(false);
    expect(needsRelaunch(argv('worker'), [], { AILO_RELAUNCHED: '1' })).toBe(false);
    expect(needsRelaunch(argv('worker'), [], { AILO_NO_RELAUNCH: '1' })).toBe(false);
  });
});

/** Pids of the direct children of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(50);
  }
  return cond();
}

/** `ailo worker` against a coordinator that is not there: it keeps retrying until stopped. */
async function startRelaunchingWorker(o: { ready: boolean } = { ready: true }) {
  const env = { ...process.env };
  delete env.AILO_RELAUNCHED;
  delete env.AILO_NO_RELAUNCH;
  const launcher = spawn(
    process.execPath,
    [await bundleCli(), 'worker', '--coordinator', 'ws://127.0.0.1:9'],
    {
      cwd: REPO,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  launcher.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    launcher.on('exit', (code, signal) => resolve([code, signal])),
  );
  let child: number | undefined;
  await until(() => {
    child = childrenOf(launcher.pid!).find((p) =>
      readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('worker'),
    );
    return child !== undefined;
  }, 15_000);
  if (child === undefined) throw new Error('the CLI did not relaunch itself');
  // the worker runs (and handles signals) once it logs its first connection attempt
  if (o.ready && !(await until(() => stderr.includes('cannot reach coordinator'), 15_000)))
    throw new Error(`the relaunched worker did not start: ${stderr}`);
  return { launcher, child, exited };
}

describe.runIf(process.platform === 'linux')('relaunch of serving commands', () => {
  it('runs the command in a child with the flags and stops it on SIGTERM', async () => {
    const { launcher, child, exited } = await startRelaunchingWorker();
    const cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(FLAG);
    launcher.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0); // the worker shut down cleanly and the launcher passed its code on
    expect(await until(() => !alive(child), 5000)).toBe(true);
  }, 30_000);

  it('takes the child down when the launcher is SIGKILLed', async () => {
    const { launcher, child, exited } = await startRelaunchingWorker();
    launcher.kill('SIGKILL');
    await exited;
    expect(await until(() => !alive(child), 5000)).toBe(true);
  }, 30_000);

  it('takes the child down when the launcher dies while the child starts', async () => {
    const { launcher, child, exited } = await startRelaunchingWorker({ ready: false });
    launcher.kill('SIGKILL');
    await exited;
    expect(await until(() => !alive(child), 10_000)).toBe(true);
  }, 30_000);
});
