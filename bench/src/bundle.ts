/**
 * `pnpm bench:bundle [outDir]`: a folder that runs the benches on a machine
 * with Node 20 alone (no pnpm, no install, no TypeScript toolchain), for
 * measuring on machines that cannot reach a registry:
 *
 *   run.mjs       the bench runner with the modules of BUNDLED_BENCHES
 *   cli.mjs       the `ailo` CLI, which the network bench starts as workers
 *   node_modules  the native packages (onnxruntime-node, classic-level,
 *                 bufferutil) and their dependencies, this platform's
 *                 binaries only
 *
 * Copy the folder over and run `node run.mjs network training`.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = join(BENCH_DIR, '..');

/** Packages left out of the bundles (native code), and the workspace package that depends on each. */
const NATIVE: ReadonlyArray<{ name: string; from: string }> = [
  { name: 'onnxruntime-node', from: 'packages/pipeline' },
  { name: 'classic-level', from: 'packages/ledger' },
  // ws masks and unmasks frames with it when present, as in an install
  { name: 'bufferutil', from: 'packages/protocol' },
];

/** Folder of `name` as Node finds it from `fromDir` (node_modules up the tree), symbolic links followed. */
function packageDir(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`cannot find package ${name} from ${fromDir}`);
  }
}

/** `name` and its dependencies, transitively: package name → folder. */
function closure(name: string, fromDir: string, into = new Map<string, string>()): Map<string, string> {
  if (into.has(name)) return into;
  const dir = packageDir(name, fromDir);
  into.set(name, dir);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dep of Object.keys(pkg.dependencies ?? {})) closure(dep, dir, into);
  return into;
}

/**
 * Whether a file of a native package is needed on this platform: prebuilt
 * binaries for other systems (`bin/napi-v6/<platform>/<arch>`,
 * `prebuilds/<platform>-<arch>`) are skipped.
 */
export function forThisPlatform(relPath: string, platform = process.platform, arch = process.arch): boolean {
  const parts = relPath.split(sep).join('/').split('/');
  for (let i = 1; i < parts.length; i++) {
    if (parts[i - 1] === 'napi-v6' && parts[i] !== platform) return false;
    if (i >= 2 && parts[i - 2] === 'napi-v6' && parts[i] !== arch) return false;
    if (parts[i - 1] === 'prebuilds') {
      const [os, archs = ''] = parts[i]!.split('-');
      if (os !== platform || !archs.split('+').includes(arch)) return false;
    }
  }
  return true;
}

/** Builds the bundle folder; returns its path. */
export async function bundleBenches(outDir: string, log: (line: string) => void = () => {}): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external: NATIVE.map((n) => n.name),
    // CommonJS dependencies inside an ES module bundle still call require()
    banner: {
      js: 'import { createRequire as __ailoRequire } from "node:module"; const require = __ailoRequire(import.meta.url);',
    },
    logLevel: 'error',
  } as const;
  await build({
    ...common,
    entryPoints: [join(BENCH_DIR, 'src/bundled.ts')],
    outfile: join(outDir, 'run.mjs'),
  });
  await build({
    ...common,
    entryPoints: [join(REPO, 'packages/node/src/cli.ts')],
    outfile: join(outDir, 'cli.mjs'),
  });
  log(`bundled run.mjs and cli.mjs into ${outDir}`);
  // the training bench's PyTorch peer sits next to the module that runs it
  cpSync(join(BENCH_DIR, 'src/benches/training_torch.py'), join(outDir, 'training_torch.py'));
  const packages = new Map<string, string>();
  for (const n of NATIVE) closure(n.name, join(REPO, n.from), packages);
  for (const [name, dir] of packages) {
    cpSync(dir, join(outDir, 'node_modules', name), {
      recursive: true,
      dereference: true,
      filter: (src) => forThisPlatform(relative(dir, src)),
    });
  }
  log(`copied ${packages.size} packages: ${[...packages.keys()].join(', ')}`);
  return outDir;
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(BENCH_DIR, 'dist');
  await bundleBenches(out, (line) => console.log(line));
  console.log(`run it with: node ${join(out, 'run.mjs')} [name...] [--smoke]`);
}
