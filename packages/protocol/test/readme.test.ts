import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('README example', () => {
  it('is exactly examples/quickstart.ts', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(readFileSync(join(root, 'examples/quickstart.ts'), 'utf8'));
  });

  it('runs and prints what the README says', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(
        args
          .map((a) =>
            typeof a === 'string'
              ? a
              : JSON.stringify(a, (_k, v) => (ArrayBuffer.isView(v) ? [...(v as Int32Array)] : v)),
          )
          .join(' '),
      );
    });
    try {
      await import('../examples/quickstart');
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual([
      'frame of 88 bytes carries {"dtype":"i32","shape":[1,3],"data":[464,3290,318]}',
      'example-coordinator answered a f16 tensor of shape [1,2]',
      'typed error: unsupported',
    ]);
  });
});
