import { cpus, loadavg, totalmem } from 'node:os';
import { type RunOptions, runBenches } from './runner';

/**
 * `[name...] [--smoke]`: runs the named bench modules (all when none), prints
 * the machine and a table, and writes results (not in smoke mode). Sets
 * `process.exitCode` to 1 if a module throws.
 */
export async function main(args: string[], options: Omit<RunOptions, 'names' | 'smoke'> = {}): Promise<void> {
  const smoke = args.includes('--smoke');
  const names = args.filter((a) => !a.startsWith('--'));
  const report = await runBenches({ ...options, names, smoke });
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  console.log(
    `\n${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${load}\n`,
  );
  console.log(report.table);
  if (!smoke && report.results.length > 0)
    console.log(`\nresults written to ${options.resultsDir ?? 'bench/results/'}`);
  for (const failure of report.failures) console.log(`\n${failure.name} failed:\n${failure.error}`);
  if (report.failures.length > 0) process.exitCode = 1;
}
