/**
 * `pnpm bench [name...] [--smoke]`: runs bench/src/benches/*.ts (or the named ones), prints a table
 * and writes bench/results/<name>.json (not in smoke mode). Exits 1 if a module throws.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { runBenches } from './runner';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const names = args.filter((a) => !a.startsWith('--'));
const report = await runBenches({ names, smoke });
const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
console.log(
  `\n${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${load}\n`,
);
console.log(report.table);
if (!smoke && report.results.length > 0) console.log(`\nresults written to bench/results/`);
for (const failure of report.failures) console.log(`\n${failure.name} failed:\n${failure.error}`);
if (report.failures.length > 0) process.exitCode = 1;
