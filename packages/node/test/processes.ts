import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { NODE_ROLE_FLAGS } from '../src/cli/nodeFlags';
import { bundleCli } from './bundleCli';

export const REPO = join(import.meta.dirname, '../../..');

/** A CLI child process with its stdout lines. */
export interface CliProcess {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  /** resolves with the first stdout JSON line satisfying `pred` */
  waitForJson<T = Record<string, unknown>>(pred: (j: T) => boolean, timeoutMs?: number): Promise<T>;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `ailo <args>` from sources (bundled once, see {@link bundleCli}) in a
 * child process started with the serving flags, so that it does not relaunch.
 */
export async function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [...NODE_ROLE_FLAGS, await bundleCli(), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then(() => {
    for (const w of [...waiters]) w();
  });
  return {
    child,
    lines,
    stderr,
    exited,
    waitForJson<T>(pred: (j: T) => boolean, timeoutMs = 30_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            let j: T;
            try {
              j = JSON.parse(lines[seen]!) as T;
            } catch {
              continue;
            }
            if (pred(j)) {
              done();
              return resolve(j);
            }
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(
                `process exited (${child.exitCode ?? child.signalCode}): ${stderr.join('').slice(-2000)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `timed out waiting for output; stdout: ${lines.join('\n').slice(-1000)} stderr: ${stderr.join('').slice(-1000)}`,
            ),
          );
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A worker process the tests started, and the first layer it serves. */
export interface SpawnedWorker {
  id: string;
  start: number;
  proc: CliProcess;
}

/**
 * Takes `before` tokens from a generation, SIGKILLs the worker serving hop
 * `hop` of the session's chain, then drains the generation. Returns every
 * token and the killed worker.
 */
export async function killHopMidGeneration<W extends SpawnedWorker>(
  tokens: AsyncIterator<{ id: number }>,
  route: () => readonly { worker: string }[] | undefined,
  workers: readonly W[],
  o: { before: number; hop: number },
): Promise<{ got: number[]; victim: W }> {
  const got: number[] = [];
  for (let i = 0; i < o.before; i++) {
    const r = await tokens.next();
    if (r.done) throw new Error('finished early');
    got.push(r.value.id);
  }
  const victim = workers.find((w) => w.id === route()![o.hop]!.worker)!;
  victim.proc.child.kill('SIGKILL');
  await victim.proc.exited;
  for (;;) {
    const r = await tokens.next();
    if (r.done) break;
    got.push(r.value.id);
  }
  return { got, victim };
}
