import { type ChildProcess, spawn } from 'node:child_process';

/** How to start this CLI again: `node [flags] <entry>` of the running process. */
export function selfCommand(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

/** A worker child process started with `ailo worker --json`, with its JSON events. */
export class WorkerProcess {
  readonly child: ChildProcess;
  /** hex public key, from its first event */
  id: string | undefined;
  /** latest ledger block it verified */
  ledger: { height: number; stateHash: string } | undefined;
  private readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(
    command: string[],
    args: string[],
    opts: { verbose: boolean; onEvent?: (e: Record<string, unknown>) => void },
  ) {
    this.child = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (typeof e.id === 'string') this.id = e.id;
        if (e.event === 'ledger')
          this.ledger = { height: e.height as number, stateHash: e.stateHash as string };
        opts.onEvent?.(e);
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (opts.verbose) process.stderr.write(d);
      this.stderr.push(d);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The last lines it wrote to stderr. */
  errors(): string {
    return this.stderr.join('').trim().split('\n').slice(-5).join('\n');
  }

  /** Asks it to stop (SIGTERM) and waits. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
