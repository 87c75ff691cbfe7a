import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a CLI entry from sources (workspace packages through their `source`
 * condition, other packages left as absolute-path imports) so that child
 * processes run the code under test without a prior build.
 */
export function bundleEntry(entry: string): Promise<string> {
  let b = bundles.get(entry);
  if (!b) {
    b = (async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'ailo-conf-')), 'cli.mjs');
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile: out,
        conditions: ['source'],
        ignoreAnnotations: true,
        logLevel: 'error',
        plugins: [
          {
            name: 'externals-by-path',
            setup(pb) {
              pb.onResolve({ filter: /^[^./]/ }, async (a) => {
                if (a.path.startsWith('@ailo/') || a.path.startsWith('node:') || a.pluginData === 'skip')
                  return undefined;
                const r = await pb.resolve(a.path, {
                  resolveDir: a.resolveDir,
                  kind: a.kind,
                  importer: a.importer,
                  pluginData: 'skip',
                });
                return r.errors.length ? undefined : { path: r.path, external: true };
              });
            },
          },
        ],
      });
      return out;
    })();
    bundles.set(entry, b);
  }
  return b;
}

/** The reference `ailo` CLI (packages/node) and this package's `ailo-conformance`. */
export const AILO_CLI = join(import.meta.dirname, '../../node/src/cli.ts');
export const CONFORMANCE_CLI = join(import.meta.dirname, '../src/cli.ts');
