import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const SRC = join(import.meta.dirname, '../src');
const NODE_ONLY = [
  /^node:/,
  /^ws$/,
  /^pino$/,
  /^prom-client$/,
  /^commander$/,
  /^@ailo\/[^/]+\/node$/,
  /^(fs|path|os|http|crypto|child_process|net)$/,
];

/** Every module reachable from `entry` through relative imports, with its bare imports. */
function walk(entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (out.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    out.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
    for (const s of specs.filter((x) => x.startsWith('.'))) {
      const base = resolve(dirname(file), s);
      todo.push(existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts'));
    }
  }
  return out;
}

test('@ailo/node/worker reaches no Node-only module (a browser worker reuses it)', () => {
  const graph = walk(join(SRC, 'worker.ts'));
  expect(graph.size).toBeGreaterThan(10);
  const offenders = [...graph].flatMap(([file, specs]) =>
    specs.filter((s) => NODE_ONLY.some((r) => r.test(s))).map((s) => `${file.slice(SRC.length)}: ${s}`),
  );
  expect(offenders).toEqual([]);
  // the walk does see the Node side when it is reachable
  const full = walk(join(SRC, 'index.ts'));
  expect([...full.values()].flat()).toContain('ws');
});
