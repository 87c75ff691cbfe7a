import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

test('the README example is examples/quickstart.ts, and it runs', () => {
  const example = readFileSync(join(ROOT, 'examples/quickstart.ts'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain(example.trim());
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', 'examples/quickstart.ts'],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/prompt_tokens: 3, completion_tokens: 8, total_tokens: 11/);
});
