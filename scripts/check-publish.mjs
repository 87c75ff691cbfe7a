#!/usr/bin/env node
// Checks that every public package under packages/ would publish cleanly:
//   1. builds the packages (skip with --no-build when dist/ is fresh);
//   2. `pnpm publish -r --dry-run --no-git-checks` over packages/ (what `pnpm publish -r` would send);
//   3. per package, `pnpm pack` (workspace:^ ranges rewritten, as on publish), then on that tarball
//      `publint --strict`, `attw --profile esm-only` (the packages are ESM-only: no CJS build), and
//      a check that every file named in `exports` (every condition, `source` included — publint
//      skips conditions it does not know), `main`, `types` and `bin` is in the tarball.
// Prints one line per package and check, the failing tools' output, and exits 1 on any failure.
//
//   node scripts/check-publish.mjs [--no-build] [--filter <name>]...
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const only = args.flatMap((a, i) => (args[i - 1] === '--filter' ? [a] : []));

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// the pnpm pinned in `packageManager`, whether or not a pnpm is on PATH
const pnpm = ['npx', '-y', rootManifest.packageManager];
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Every file path a manifest points at: `exports` targets under any condition, `main`, `types`, `bin`. */
function pointedFiles(manifest) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.types);
  walk(manifest.bin);
  return [...out].filter((f) => !f.includes('*'));
}

/** Runs a command; returns its exit status, combined output and duration (s). */
function run(cmd, argv, cwd = root) {
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok: r.status === 0, out, s: (performance.now() - t0) / 1000 };
}

const packages = readdirSync(join(root, 'packages'))
  .map((d) => ({ dir: join(root, 'packages', d), path: join(root, 'packages', d, 'package.json') }))
  .filter((p) => statSync(p.dir).isDirectory())
  .flatMap((p) => {
    try {
      const m = JSON.parse(readFileSync(p.path, 'utf8'));
      return m.private ? [] : [{ ...p, name: m.name, version: m.version }];
    } catch {
      return [];
    }
  })
  .filter((p) => only.length === 0 || only.includes(p.name));

const failures = [];
/** Records one check's result and prints its line (and its output when it failed). */
function report(what, r, detail = '') {
  console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${what.padEnd(44)} ${r.s.toFixed(1).padStart(5)} s  ${detail}`);
  if (!r.ok) {
    failures.push(what);
    console.log(r.out.trim().replace(/^/gm, '      | '));
  }
}

console.log(`public packages: ${packages.map((p) => `${p.name}@${p.version}`).join(', ')}\n`);
const filters = packages.flatMap((p) => ['--filter', p.name]);

if (build) report('build', run(pnpm[0], [...pnpm.slice(1), ...filters, 'build']));

const dry = run(pnpm[0], [...pnpm.slice(1), 'publish', '-r', '--dry-run', '--no-git-checks', ...filters]);
report('pnpm publish -r --dry-run', dry);

const packDir = mkdtempSync(join(tmpdir(), 'ailo-pack-'));
try {
  for (const p of packages) {
    const packed = run(pnpm[0], [...pnpm.slice(1), 'pack', '--pack-destination', packDir], p.dir);
    const tgz = readdirSync(packDir).find((f) => f.startsWith(p.name.replace('@', '').replace('/', '-')));
    const size = tgz ? `${(statSync(join(packDir, tgz)).size / 1024).toFixed(0)} KiB packed` : '';
    report(`${p.name}: pnpm pack`, { ...packed, ok: packed.ok && tgz !== undefined }, size);
    if (!tgz) continue;
    const file = join(packDir, tgz);
    const listed = run('tar', ['-tzf', file]);
    const inTarball = new Set(listed.out.split('\n').map((l) => l.replace(/^package\//, '')));
    const missing = pointedFiles(JSON.parse(readFileSync(p.path, 'utf8'))).filter((f) => !inTarball.has(f));
    report(
      `${p.name}: exported files packed`,
      {
        ok: listed.ok && missing.length === 0,
        s: listed.s,
        out: missing.map((f) => `${f} is named in package.json but not in the tarball`).join('\n'),
      },
      `${inTarball.size - 1} files`,
    );
    report(`${p.name}: publint --strict`, run(bin('publint'), ['run', file, '--strict']));
    report(
      `${p.name}: attw --profile esm-only`,
      run(bin('attw'), [
        file,
        '--profile',
        'esm-only',
        '--format',
        'table-flipped',
        '--no-emoji',
        '--no-color',
      ]),
    );
  }
} finally {
  rmSync(packDir, { recursive: true, force: true });
}

console.log(
  failures.length === 0
    ? '\nall public packages are ready to publish'
    : `\n${failures.length} check(s) failed: ${failures.join('; ')}`,
);
process.exitCode = failures.length === 0 ? 0 : 1;
