#!/usr/bin/env node
// Long fuzz run of every decoder (docs/reliability.md, "Fuzzing"): runs the same suites as CI
// (packages/*/test/fuzz.test.ts) with AILO_FUZZ_RUNS cases per decoder, one decoder per vitest
// process so a hang or crash in one does not hide the others, each under a wall-clock limit.
// Prints cases, rejections by code, memory growth and time per decoder; exits 1 on any failure.
//
//   node scripts/fuzz.mjs [--runs 100000] [--seed N] [--timeout 1800] [--only verifyHello,decodeBlock]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const SUITES = {
  protocol: 'packages/protocol/test/fuzz.test.ts',
  'virtual-tensor': 'packages/virtual-tensor/test/fuzz.test.ts',
  ledger: 'packages/ledger/test/fuzz.test.ts',
  fedavg: 'packages/fedavg/test/fuzz.test.ts',
};

/**
 * Each property: its name (the test's name starts with it) and whether it reports figures
 * through the fuzz harness (decoders) or only passes or fails (encoder round trips).
 */
const PROPERTIES = [
  ['protocol.decodeEnvelope', true],
  ['protocol.decodeMessage', true],
  ['protocol.tensorExtension', true],
  ['protocol.verifyHello', true],
  ['virtual-tensor.parseSafetensors', true],
  ['virtual-tensor.safetensorsRoundTrip', false],
  ['virtual-tensor.parseManifest', true],
  ['ledger.decodeTransaction', true],
  ['ledger.decodeBlock', true],
  ['ledger.applyBlock', true],
  ['fedavg.decodeUpdateFile', true],
  ['fedavg.updateFileRoundTrip', false],
].map(([name, decoder]) => ({
  name,
  decoder,
  file: SUITES[name.split('.')[0]],
  test: `${name.replace('.', '\\.')}:`,
}));

function parseArgs(argv) {
  const opts = { runs: 100_000, seed: Date.now() % 0x7fff_ffff, timeout: 1800, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--runs') opts.runs = Number(value);
    else if (key === '--seed') opts.seed = Number(value);
    else if (key === '--timeout') opts.timeout = Number(value);
    else if (key === '--only') opts.only = value.split(',');
    else if (key === '--help' || key === '-h') {
      console.log(
        'node scripts/fuzz.mjs [--runs 100000] [--seed N] [--timeout seconds-per-decoder] [--only a,b]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${key}`);
    i++;
  }
  for (const k of ['runs', 'seed', 'timeout']) {
    if (!Number.isSafeInteger(opts[k]) || opts[k] < 1) throw new Error(`--${k} must be a positive integer`);
  }
  return opts;
}

/** Heap of each vitest worker: a decoder that allocates without bound dies in seconds, not minutes. */
const HEAP_MB = 2048;

/**
 * Runs one property in its own vitest process; resolves with 'pass', 'FAIL' (a property failed or
 * the process crashed) or 'timeout' after `seconds`, and the tail of the output.
 */
function runVitest(p, env, seconds) {
  return new Promise((resolve) => {
    const args = ['-y', 'pnpm@12.4.2', 'exec', 'vitest', 'run', p.file, '-t', p.test, '--testTimeout', '0'];
    const child = spawn('npx', args, {
      cwd: ROOT,
      detached: true, // own process group: a timeout ends vitest and its workers together
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`, ...env },
    });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk).slice(-40_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      resolve({ status: 'timeout', output });
    }, seconds * 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ status: code === 0 ? 'pass' : 'FAIL', output });
    });
  });
}

const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function readReports(reportDir) {
  const file = join(reportDir, 'results.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * The process died or hung without a fast-check report: replays the case it was on (its index is
 * the fast-check path) with inputs printed, so the summary shows the input that did it.
 */
async function replayLastCase(p, opts, reportDir) {
  const caseFile = join(reportDir, `${p.name}.case`);
  if (!existsSync(caseFile)) return undefined;
  const path = readFileSync(caseFile, 'utf8').trim();
  const env = {
    AILO_FUZZ_RUNS: String(opts.runs),
    AILO_FUZZ_SEED: String(opts.seed),
    AILO_FUZZ_PATH: path,
    AILO_FUZZ_PRINT: '1',
  };
  const { output } = await runVitest(p, env, Math.min(opts.timeout, 300));
  const printed = output.split('\n').find((line) => line.startsWith(`${p.name} case `));
  const replay = Object.entries(env)
    .filter(([k]) => k !== 'AILO_FUZZ_PRINT')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    path,
    input: printed?.slice(0, 3000),
    command: `${replay} npx -y pnpm@12.4.2 exec vitest run ${p.file} -t '${p.test}'`,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const chosen = PROPERTIES.filter((d) => !opts.only || opts.only.some((o) => d.name.includes(o)));
  console.log(
    `fuzz: ${chosen.length} properties × ${opts.runs} cases, seed ${opts.seed}, limit ${opts.timeout} s each`,
  );
  const rows = [];
  let failed = 0;
  for (const p of chosen) {
    const reportDir = mkdtempSync(join(tmpdir(), 'ailo-fuzz-'));
    const started = Date.now();
    const env = {
      AILO_FUZZ_RUNS: String(opts.runs),
      AILO_FUZZ_SEED: String(opts.seed),
      AILO_FUZZ_REPORT: reportDir,
    };
    const { status, output } = await runVitest(p, env, opts.timeout);
    const seconds = (Date.now() - started) / 1000;
    const stats = readReports(reportDir).find((s) => s.decoder === p.name);
    if (status !== 'pass') {
      failed++;
      console.log(`\n✗ ${p.name}: ${status} after ${seconds.toFixed(0)} s\n${output.slice(-6000)}\n`);
      if (p.decoder && stats === undefined) {
        const last = await replayLastCase(p, opts, reportDir);
        if (last)
          console.log(
            `  died on case ${last.path}; input: ${last.input ?? '(not printed)'}\n  replay: ${last.command}\n`,
          );
      }
    }
    rmSync(reportDir, { recursive: true, force: true });
    const rejected = stats ? Object.values(stats.codes).reduce((a, b) => a + b, 0) : undefined;
    const codes = stats
      ? Object.entries(stats.codes)
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')
      : '';
    const row = {
      property: p.name,
      status,
      cases: stats?.cases ?? (!p.decoder && status === 'pass' ? opts.runs : '-'),
      truncations: stats?.prefixCases ?? '-',
      accepted: stats?.accepted ?? '-',
      rejected: rejected ?? '-',
      'max growth': stats ? `${mib(stats.maxGrowthBytes)} (input ${stats.maxGrowthInputBytes} B)` : '-',
      'max retained': stats ? mib(stats.maxRetainedBytes) : '-',
      'slowest case': stats ? `${stats.maxCaseMs.toFixed(1)} ms` : '-',
      seconds: seconds.toFixed(0),
    };
    rows.push(row);
    console.log(
      `${status === 'pass' ? '✓' : '✗'} ${p.name}: ${JSON.stringify(row)}${codes ? `\n    rejections: ${codes}` : ''}`,
    );
  }
  console.log('\nsummary (seed %d, %d cases per property):', opts.seed, opts.runs);
  console.table(rows);
  console.log(failed === 0 ? 'no failures' : `${failed} propert${failed === 1 ? 'y' : 'ies'} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

await main();
