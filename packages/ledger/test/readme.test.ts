import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

describe('README example', () => {
  it('is examples/quickstart.ts verbatim, and it runs with the stated output', async () => {
    const example = readFileSync(join(import.meta.dirname, '..', 'examples', 'quickstart.ts'), 'utf8');
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example.trim());
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      await import('../examples/quickstart');
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['true 2 true', '0.07', '0.05']);
  });
});
