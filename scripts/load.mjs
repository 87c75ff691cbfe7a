#!/usr/bin/env node
// Bounded load run (docs/reliability.md, "Load"), on loopback only: concurrent streaming chat
// sessions through a coordinator and worker processes splitting a 4-layer model, then one
// federated round with many simulated clients. Prints p50/p99 latencies, tokens/s, updates/s and
// lost/duplicated messages (must be 0); exits 1 otherwise, or when --timeout passes.
//
//   node scripts/load.mjs [--sessions 64] [--clients 200] [--max-tokens 16] [--workers 4] [--timeout 600]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const opts = { sessions: 64, clients: 200, maxTokens: 16, workers: 4 };
let timeout = 600;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const [key, value] = [argv[i], Number(argv[i + 1])];
  if (key === '--help' || key === '-h') {
    console.log(
      'node scripts/load.mjs [--sessions 64] [--clients 200] [--max-tokens 16] [--workers 4] [--timeout seconds]',
    );
    process.exit(0);
  }
  if (!Number.isInteger(value) || value < 0) throw new Error(`${key} expects a non-negative integer`);
  if (key === '--sessions') opts.sessions = value;
  else if (key === '--clients') opts.clients = value;
  else if (key === '--max-tokens') opts.maxTokens = value;
  else if (key === '--workers') opts.workers = value;
  else if (key === '--timeout') timeout = value;
  else throw new Error(`unknown argument ${key}`);
}

const child = spawn(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    join(ROOT, 'packages/node/test/load/main.ts'),
    JSON.stringify(opts),
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
const timer = setTimeout(() => {
  console.error(`load run exceeded ${timeout} s; stopping it`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
}, timeout * 1000);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
