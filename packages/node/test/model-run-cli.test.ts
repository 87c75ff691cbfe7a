import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';
import { FIXTURE_DIR, fixtureModelDir } from './fixtures';

/** An HF-layout dir for a fixture (the distilgpt2 slice ships without config.json). */

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'ailo', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('ailo model logits / ailo generate', () => {
  it.each(['gpt2', 'qwen2'] as const)(
    '%s logits match the HF reference (1e-4), on 1 and 2 stages',
    async (name) => {
      const dir = fixtureModelDir(name);
      const ref = JSON.parse(
        readFileSync(
          join(FIXTURE_DIR, name === 'gpt2' ? 'tiny_distilgpt2_logits.json' : 'tiny_qwen2_logits.json'),
          'utf8',
        ),
      );
      const ids = ref.sequences[0].slice(0, 6) as number[];
      for (const stages of ['1', '2']) {
        const { logits } = JSON.parse(
          await run(['model', 'logits', dir, '--ids', ids.join(','), '--stages', stages, '--json']),
        );
        expect(logits).toHaveLength(6);
        for (let t = 0; t < 6; t++) {
          for (let v = 0; v < 12; v++)
            expect(Math.abs(logits[t][v] - ref.logits[0][t][v])).toBeLessThanOrEqual(1e-4);
        }
      }
    },
  );

  it('greedy generation is the same on cpu, ref and split stages', async () => {
    const dir = fixtureModelDir('qwen2');
    const base = ['generate', dir, '--ids', '1,2,3', '--max-tokens', '6', '--greedy', '--json'];
    const a = JSON.parse(await run(base));
    const b = JSON.parse(await run([...base, '--backend', 'ref']));
    const c = JSON.parse(await run([...base, '--stages', '2']));
    expect(a.ids).toHaveLength(6);
    expect(b.ids).toEqual(a.ids);
    expect(c.ids).toEqual(a.ids);
  });

  it('rejects bad arguments with a clear error', async () => {
    const dir = fixtureModelDir('qwen2');
    await expect(run(['generate', dir, '--ids', '1,x'])).rejects.toMatchObject({ name: 'CliError' });
    await expect(run(['generate', dir, '--prompt', 'hello'])).rejects.toMatchObject({ name: 'CliError' });
    await expect(run(['model', 'logits', '/nonexistent', '--ids', '1'])).rejects.toMatchObject({
      code: 'bad_config',
    });
    await expect(run(['model', 'logits', dir, '--ids', '99'])).rejects.toMatchObject({
      code: 'token_out_of_range',
    });
  });
});

describe('ailo model export', () => {
  it('writes a Transformers.js layout and rejects unknown formats', async () => {
    const dir = fixtureModelDir('qwen2');
    const out = join(mkdtempSync(join(tmpdir(), 'ailo-exp-')), 'm');
    const r = JSON.parse(await run(['model', 'export', dir, '--format', 'transformers.js', '--out', out]));
    expect(r.out).toBe(out);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).model_type).toBe('qwen2');
    expect(readFileSync(join(out, 'onnx', 'model.onnx')).byteLength).toBeGreaterThan(7000);
    await expect(run(['model', 'export', dir, '--format', 'gguf', '--out', out])).rejects.toMatchObject({
      name: 'CliError',
    });
  });
});
