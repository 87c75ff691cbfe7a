import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureModelDir } from '../../node/test/fixtures';
import { AILO_CLI, bundleEntry } from './bundleEntry';

/** The hf-tiny fixtures (tiny GPT-2 with reference logits). */
export const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/hf-tiny', import.meta.url));

/** A child process printing JSON lines. */
export interface JsonProcess {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  waitFor<T>(pred: (j: T) => boolean, timeoutMs?: number): Promise<T>;
  exited: Promise<number | null>;
  kill(): Promise<number | null>;
}

/** Spawns `node <script> ...args` and collects its stdout lines. */
export function spawnJson(script: string, args: string[], env: NodeJS.ProcessEnv = {}): JsonProcess {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  const wakers = new Set<() => void>();
  let buf = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    for (const w of [...wakers]) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  exited.then(() => {
    for (const w of [...wakers]) w();
  });
  return {
    child,
    lines,
    stderr,
    exited,
    waitFor<T>(pred: (j: T) => boolean, timeoutMs = 30_000) {
      return new Promise<T>((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < lines.length; seen++) {
            try {
              const j = JSON.parse(lines[seen]!) as T;
              if (pred(j)) return finish(() => resolve(j));
            } catch {
              // not JSON
            }
          }
          if (child.exitCode !== null)
            finish(() => reject(new Error(`exited ${child.exitCode}: ${stderr.join('').slice(-1500)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`timeout; stderr: ${stderr.join('').slice(-1500)}`))),
          timeoutMs,
        );
        const finish = (f: () => void) => {
          clearTimeout(timer);
          wakers.delete(check);
          f();
        };
        wakers.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      // a coordinator still waiting for trainers does not exit on SIGTERM: do not wait for it
      const force = setTimeout(() => child.kill('SIGKILL'), 2000);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
  };
}

/** A reference coordinator process with its worker. */
export interface ReferenceNode {
  ws: string;
  http: string;
  procs: JsonProcess[];
  close(): Promise<void>;
}

/** Handshake deadline the test coordinators run with (protocol.md §6.5 allows any). ms */
export const TEST_HANDSHAKE_MS = 1500;

/**
 * Starts `ailo coordinator` (one federated round open to the first trainer,
 * ledger on) serving the tiny GPT-2, optionally broken by
 * `AILO_CONFORMANCE_BREAK`, plus `workers` workers serving its two layers.
 */
export async function startReferenceNode(
  opts: { breaks?: string; workers?: number; rounds?: boolean } = {},
): Promise<ReferenceNode> {
  const cli = await bundleEntry(AILO_CLI);
  const data = mkdtempSync(join(tmpdir(), 'ailo-conf-node-'));
  const env = opts.breaks ? { AILO_CONFORMANCE_BREAK: opts.breaks } : {};
  const coord = spawnJson(
    cli,
    [
      'coordinator',
      '--port',
      '0',
      '--data-dir',
      join(data, 'coord'),
      '--model',
      fixtureModelDir('gpt2', data),
      ...(opts.rounds === false ? [] : ['--rounds', '1', '--min-trainers', '1']),
      '--handshake-timeout',
      String(TEST_HANDSHAKE_MS),
      '--json',
    ],
    env,
  );
  const procs = [coord];
  const close = async () => {
    await Promise.all(procs.map((p) => p.kill()));
  };
  try {
    const ready = await coord.waitFor<{ event: string; ws: string; http: string }>(
      (j) => j.event === 'ready',
      40_000,
    );
    for (let i = 0; i < (opts.workers ?? 0); i++) {
      const w = spawnJson(cli, ['worker', '--coordinator', ready.ws, '--layers', '0:2', '--json']);
      procs.push(w);
      await w.waitFor<{ event: string }>((j) => j.event === 'serving', 40_000);
    }
    if (opts.workers) await waitServed(ready.http);
    return { ws: ready.ws, http: ready.http, procs, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Polls `/health` until every model is covered by ready workers. */
async function waitServed(http: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const h = (await (await fetch(`${http}/health`)).json()) as { models: { served?: boolean }[] };
    if (h.models.every((m) => m.served)) return;
    if (Date.now() > end) throw new Error(`models not served: ${JSON.stringify(h.models)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs `n` distributed completions more than a payout flush apart, so the
 * coordinator's ledger gets `n` blocks of inference rewards.
 */
export async function makeBlocks(http: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${http}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny-gpt2', prompt: [1, 2, 3], max_tokens: 2, temperature: 0 }),
    });
    if (!r.ok) throw new Error(`completion failed: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
    await new Promise((res) => setTimeout(res, 1300));
  }
}
