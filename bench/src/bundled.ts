/**
 * Entry of the self-contained bench bundle (`pnpm bench:bundle`):
 * `node run.mjs [name...] [--smoke]` in the bundle's folder runs the modules
 * of {@link BUNDLED_BENCHES} and writes results/<name>.json there (or to
 * `AILO_BENCH_RESULTS`); worker processes run the bundled `cli.mjs`.
 */
import { join } from 'node:path';
import { main } from './main';
import { BUNDLED_BENCHES } from './registry';

const here = import.meta.dirname;
process.env.AILO_BENCH_CLI ??= join(here, 'cli.mjs');
await main(process.argv.slice(2), {
  registry: BUNDLED_BENCHES,
  resultsDir: process.env.AILO_BENCH_RESULTS ?? join(here, 'results'),
  root: here,
});
