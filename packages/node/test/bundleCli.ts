import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a CLI entry from sources (workspace packages through their `source`
 * condition; every other package stays an external import by absolute path)
 * so child processes run the code under test without a prior build and start
 * in well under a second instead of transpiling on the fly. Built once per
 * entry and test file.
 */
export function bundleEntry(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (!bundled) {
    bundled = (async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'ailo-cli-')), 'cli.mjs');
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile: out,
        conditions: ['source'],
        logLevel: 'error',
        plugins: [
          {
            name: 'externals-by-path',
            setup(b) {
              b.onResolve({ filter: /^[^./]/ }, async (a) => {
                if (a.path.startsWith('@ailo/') || a.path.startsWith('node:') || a.pluginData === 'skip')
                  return undefined;
                const r = await b.resolve(a.path, {
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
    bundles.set(entry, bundled);
  }
  return bundled;
}

/** The `ailo` CLI of this package, bundled with {@link bundleEntry}. */
export function bundleCli(): Promise<string> {
  return bundleEntry(join(import.meta.dirname, '../src/cli.ts'));
}
