import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

describe('README example', () => {
  it('is the code of examples/readme.ts, and runs', async () => {
    const code = readFileSync(new URL('../examples/readme.ts', import.meta.url), 'utf8');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(code.trim());
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    try {
      await import('../examples/readme');
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['2 40 0.80,0.00,0.00,0.80']);
  });
});
