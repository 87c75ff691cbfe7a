import { join } from 'node:path';

// one bundler for every test that runs a CLI from sources
export { bundleEntry } from '../../node/test/bundleCli';

/** The reference `ailo` CLI (packages/node) and this package's `ailo-conformance`. */
export const AILO_CLI = join(import.meta.dirname, '../../node/src/cli.ts');
export const CONFORMANCE_CLI = join(import.meta.dirname, '../src/cli.ts');
