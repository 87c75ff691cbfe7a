import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * V8 flags for processes that serve (coordinator, worker, demo).
 *
 * A serving node allocates hundreds of KB of ArrayBuffers per decode step
 * (KV caches, logits, frames) and little else. Node 20's V8 counts that
 * memory against its small initial old-generation limit, so a node with a
 * 27 MB heap ran a full mark-compact about five times a second, most of its
 * CPU time. A larger initial old space stops that; it reserves nothing.
 * Processes that embed `@ailo/node` should start Node with these flags too.
 */
export const NODE_ROLE_FLAGS: readonly string[] = ['--initial-old-space-size=256'];

/** Set in the environment of a relaunched CLI so that it does not relaunch again. */
const RELAUNCHED_ENV = 'AILO_RELAUNCHED';
/** Set only for the relaunched process itself (removed at start, so its own children never see it). */
const FOLLOW_ENV = 'AILO_FOLLOW_LAUNCHER';
/** Set by users (or tests) to run in the current process whatever its flags. */
const NO_RELAUNCH_ENV = 'AILO_NO_RELAUNCH';

const SERVING_COMMANDS = new Set(['coordinator', 'worker', 'demo']);

function flagName(flag: string): string {
  return flag.split('=')[0]!.replaceAll('_', '-');
}

/**
 * Whether `ailo <argv>` should run in a child Node started with
 * {@link NODE_ROLE_FLAGS}: a serving command, started without the flags,
 * neither relaunched already nor opted out with `AILO_NO_RELAUNCH=1`.
 */
export function needsRelaunch(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env[RELAUNCHED_ENV] || env[NO_RELAUNCH_ENV]) return false;
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  if (command === undefined || !SERVING_COMMANDS.has(command)) return false;
  const have = new Set(execArgv.map(flagName));
  return NODE_ROLE_FLAGS.some((f) => !have.has(flagName(f)));
}

/**
 * Runs this CLI again in a child Node with {@link NODE_ROLE_FLAGS} and the
 * same arguments; resolves with the child's exit code (128 + signal number
 * when a signal ended it).
 *
 * The child gets its own process group, so a terminal's Ctrl-C reaches it
 * once, forwarded from here like SIGTERM and SIGHUP. It exits when this
 * process dies, SIGKILL included, through the closing IPC channel.
 */
export function relaunch(): Promise<number> {
  const child = spawn(process.execPath, [...NODE_ROLE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [RELAUNCHED_ENV]: '1', [FOLLOW_ENV]: '1' },
    detached: process.platform !== 'win32',
  });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (sig: NodeJS.Signals) => {
    child.kill(sig);
  };
  for (const sig of signals) process.on(sig, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const sig of signals) process.off(sig, forward);
      resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
    });
  });
}

/** In a relaunched CLI: exit as soon as the launching process is gone. */
export function followLauncher(): void {
  if (!process.env[FOLLOW_ENV]) return;
  delete process.env[FOLLOW_ENV];
  // no channel: the launcher died while this process started
  if (!process.channel || !process.connected) process.exit(1);
  process.channel.unref();
  process.once('disconnect', () => process.exit(1));
}
