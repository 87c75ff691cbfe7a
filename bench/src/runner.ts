import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type MachineInfo, machineInfo } from './machine';
import { type FigureResult, formatTable, summarize } from './summarize';
import type { BenchModule } from './types';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCHES_DIR = join(BENCH_DIR, 'src/benches');

/** What bench/results/<name>.json holds. */
export interface BenchResult {
  name: string;
  description: string;
  date: string;
  smoke: boolean;
  machine: MachineInfo;
  /** 1, 5 and 15 minute load averages when the module started: other work on the machine skews timings */
  loadAverage: number[];
  /** wall time of the whole module, ms */
  durationMs: number;
  figures: FigureResult[];
}

/** Bench modules by name, for a build that cannot import bench/src/benches/<name>.ts by path (a bundle). */
export type BenchRegistry = Readonly<Record<string, BenchModule>>;

/** Names of the bench modules (bench/src/benches/<name>.ts, or the registry's), sorted. */
export function benchNames(registry?: BenchRegistry): string[] {
  if (registry !== undefined) return Object.keys(registry).sort();
  return readdirSync(BENCHES_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Loads a bench module (from the registry when given) and checks that it default-exports a BenchModule. */
export async function loadBench(name: string, registry?: BenchRegistry): Promise<BenchModule> {
  const bench =
    registry !== undefined
      ? registry[name]
      : (
          (await import(pathToFileURL(join(BENCHES_DIR, `${name}.ts`)).href)) as {
            default?: BenchModule;
          }
        ).default;
  if (bench === undefined || typeof bench.run !== 'function' || typeof bench.name !== 'string') {
    throw new Error(`bench/src/benches/${name}.ts does not default-export a BenchModule`);
  }
  return bench;
}

/** Options of {@link runBenches}. */
export interface RunOptions {
  /** module names; all when empty */
  names?: string[];
  smoke?: boolean;
  /** write bench/results/<name>.json (default: when not smoke) */
  write?: boolean;
  /** progress lines (default: stderr) */
  log?: (line: string) => void;
  /** where results go (default bench/results) */
  resultsDir?: string;
  /** modules to run instead of bench/src/benches/*.ts (see {@link BenchRegistry}) */
  registry?: BenchRegistry;
  /** folder whose node_modules give the recorded onnxruntime-node version (default bench/) */
  root?: string;
}

/** Outcome of a run: results per module, and the modules that threw. */
export interface RunReport {
  results: BenchResult[];
  failures: Array<{ name: string; error: string }>;
  table: string;
}

/** Runs bench modules one after another, summarises their figures, writes results, builds the table. */
export async function runBenches(options: RunOptions = {}): Promise<RunReport> {
  const all = benchNames(options.registry);
  const names = options.names !== undefined && options.names.length > 0 ? options.names : all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; have ${all.join(', ')}`);
  const smoke = options.smoke ?? false;
  const write = options.write ?? !smoke;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const resultsDir = options.resultsDir ?? join(BENCH_DIR, 'results');
  const machine = machineInfo(options.root ?? BENCH_DIR);
  const results: BenchResult[] = [];
  const failures: RunReport['failures'] = [];
  for (const name of names) {
    const started = performance.now();
    const loadAverage = loadavg().map((x) => Math.round(x * 100) / 100);
    try {
      const bench = await loadBench(name, options.registry);
      log(`${name}: ${bench.description}${smoke ? ' (smoke)' : ''}`);
      const figures = await bench.run({ smoke, log: (line) => log(`  ${line}`) });
      const result: BenchResult = {
        name,
        description: bench.description,
        date: new Date().toISOString(),
        smoke,
        machine,
        loadAverage,
        durationMs: Math.round(performance.now() - started),
        figures: figures.map(summarize),
      };
      results.push(result);
      if (write) {
        mkdirSync(resultsDir, { recursive: true });
        writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      }
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ name, error: message });
      log(`${name}: FAILED ${message}`);
    }
  }
  const table = formatTable(results.flatMap((r) => r.figures.map((figure) => ({ bench: r.name, figure }))));
  return { results, failures, table };
}
