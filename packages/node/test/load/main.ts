/**
 * Entry of `node scripts/load.mjs` (run through tsx): runs {@link runLoad} with
 * the sizes given as JSON in argv[2], prints the summary and the report as
 * JSON on its last line, and exits 1 unless the run is clean.
 */
import { formatLoadReport, type LoadOptions, runLoad } from './runLoad';

const opts = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
runLoad(opts).then(
  (r) => {
    process.stdout.write(`${formatLoadReport(r)}\n${JSON.stringify(r)}\n`);
    process.exit(r.ok ? 0 : 1);
  },
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
