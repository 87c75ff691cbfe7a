/**
 * `pnpm bench [name...] [--smoke]`: runs bench/src/benches/*.ts (or the named ones), prints a table
 * and writes bench/results/<name>.json (not in smoke mode). Exits 1 if a module throws.
 */
import { main } from './main';

await main(process.argv.slice(2));
