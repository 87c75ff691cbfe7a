import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';

const FIX = '/work/shared/fixtures/hf-tiny';
const work = mkdtempSync(join(tmpdir(), 'ailo-model-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `ailo …` in-process and returns what it wrote to stdout. */
async function ailo(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const cli = buildCli().exitOverride();
    await cli.parseAsync(['node', 'ailo', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('ailo model plan', () => {
  it('plans ailo-840m into exactly 35 chunks by default', async () => {
    const plan = JSON.parse(await ailo('model', 'plan', '--preset', 'ailo-840m', '--json'));
    expect(plan.chunks).toHaveLength(35);
    expect(plan.params).toBe(821_470_400);
    expect(plan.totalBytes).toBe(plan.chunks.reduce((s: number, c: { bytes: number }) => s + c.bytes, 0));
    expect(plan.chunks[0]).toEqual({ id: 0, bytes: expect.any(Number), layers: [-1, -1] });
    expect(plan.chunks.at(-1).layers[1]).toBe(24);
  });

  it('honours --chunks and --chunk-mb', async () => {
    const a = JSON.parse(await ailo('model', 'plan', '--preset', 'ailo-840m', '--chunks', '12', '--json'));
    expect(a.chunks).toHaveLength(12);
    const b = JSON.parse(await ailo('model', 'plan', '--preset', 'gpt2', '--chunk-mb', '50', '--json'));
    expect(b.chunks).toHaveLength(Math.ceil(b.totalBytes / 50e6));
  });

  it('plans from a config.json', async () => {
    const plan = JSON.parse(
      await ailo('model', 'plan', '--config', `${FIX}/tiny_qwen2_config.json`, '--chunks', '2', '--json'),
    );
    expect(plan.chunks).toHaveLength(2);
    expect(plan.totalBytes).toBeGreaterThan(27 * 16);
  });

  it('rejects --chunks with --chunk-mb, and an unknown preset', async () => {
    await expect(
      ailo('model', 'plan', '--preset', 'gpt2', '--chunks', '2', '--chunk-mb', '5', '--json'),
    ).rejects.toMatchObject({
      code: 'PLAN_INVALID',
    });
    await expect(ailo('model', 'plan', '--json')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('ailo model pack / inspect', () => {
  it('packs the distilgpt2 fixture from shapes + --n-head and inspects it', async () => {
    const out = join(work, 'gpt2');
    const line = await ailo(
      'model',
      'pack',
      `${FIX}/tiny_distilgpt2.safetensors`,
      '--out',
      out,
      '--arch',
      'gpt2',
      '--n-head',
      '2',
      '--chunks',
      '3',
      '--no-progress',
    );
    expect(line).toMatch(/packed gpt2 \d+ params \(f32\) into 3 chunks/);
    const info = JSON.parse(await ailo('model', 'inspect', out, '--json', '--verify'));
    expect(info).toMatchObject({ architecture: 'gpt2', numLayers: 2, verified: true });
    expect(info.chunks).toHaveLength(3);
    expect(info.layers).toHaveLength(2);
    const text = await ailo('model', 'inspect', out);
    expect(text).toContain('layer → chunks');
  });

  it('packs qwen2 with --config and --dtype f16', async () => {
    const out = join(work, 'qwen2');
    await ailo(
      'model',
      'pack',
      `${FIX}/tiny_qwen2.safetensors`,
      '--out',
      out,
      '--config',
      `${FIX}/tiny_qwen2_config.json`,
      '--dtype',
      'f16',
      '--no-progress',
    );
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.dtype).toBe('f16');
    expect(m.model.architecture).toBe('qwen2');
  });

  it('fails with a typed error and writes nothing when the head count is missing', async () => {
    const out = join(work, 'nohead');
    await expect(
      ailo('model', 'pack', `${FIX}/tiny_distilgpt2.safetensors`, '--out', out, '--no-progress'),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(() => readFileSync(join(out, 'manifest.json'))).toThrow();
  });

  it('rejects a broken config file', async () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{"model_type": "bert"}');
    await expect(
      ailo(
        'model',
        'pack',
        `${FIX}/tiny_qwen2.safetensors`,
        '--out',
        join(work, 'x'),
        '--config',
        bad,
        '--no-progress',
      ),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
