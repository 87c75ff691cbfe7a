import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parameterCount, presetConfig } from '@ailo/virtual-tensor';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';
import { spawnCli } from './processes';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

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

interface SpanPlan {
  weightBytesPerParam: number;
  contextLength: number;
  nodes: number;
  stages: {
    stage: number;
    span: [number, number];
    nodeIds: string[];
    weightBytes: number;
    kvCacheBytes: number;
    totalBytes: number;
    nodeMemoryBytes: number;
    cost: number;
  }[];
  bottleneck: { stage: number; cost: number; span: [number, number] };
  unusedNodeIds: string[];
}

/** Runs `ailo model plan … --json` and checks the invariants every span plan must meet. */
async function planSpans(...args: string[]): Promise<SpanPlan> {
  const p = JSON.parse(await ailo('model', 'plan', ...args, '--json')) as SpanPlan;
  let next = 0;
  for (const s of p.stages) {
    expect(s.span[0]).toBe(next);
    expect(s.span[1]).toBeGreaterThan(s.span[0]);
    expect(s.totalBytes).toBeLessThanOrEqual(s.nodeMemoryBytes);
    next = s.span[1];
  }
  expect(p.stages[p.bottleneck.stage]!.cost).toBe(Math.max(...p.stages.map((s) => s.cost)));
  expect(p.bottleneck.span).toEqual(p.stages[p.bottleneck.stage]!.span);
  return p;
}

describe('ailo model plan --nodes (layer spans)', () => {
  it('llama-2-70b on 120 × 4 GB in f16: every layer placed, weights = params × 2', async () => {
    const p = await planSpans(
      '--preset',
      'llama-2-70b',
      '--nodes',
      '120x4GB',
      '--dtype',
      'f16',
      '--context',
      '4096',
    );
    expect(p.stages.at(-1)!.span[1]).toBe(80);
    expect(p.nodes).toBe(120);
    expect(p.stages.length + p.unusedNodeIds.length).toBe(120);
    expect(p.weightBytesPerParam).toBe(2);
    const params = parameterCount(presetConfig('llama-2-70b')!);
    expect(p.stages.reduce((n, s) => n + s.weightBytes, 0)).toBe(params * 2);
    for (const s of p.stages) expect(s.nodeMemoryBytes).toBe(4e9);
  });

  it('prints a table with the bottleneck', async () => {
    const text = await ailo(
      'model',
      'plan',
      '--preset',
      'qwen1.5-1.8b',
      '--nodes',
      '4x2GB',
      '--context',
      '2048',
      '--dtype',
      'f16',
    );
    expect(text).toContain('qwen2, 1836828672 params, 24 layers; f16 (2 B/weight)');
    expect(text).toMatch(/4 nodes → 4 stages/);
    expect(text.match(/← bottleneck/g)).toHaveLength(1);
    expect(text).toMatch(/^bottleneck: stage \d+ \(layers \d+–\d+, node-\d\)/m);
  });

  it('mixed groups and speeds: faster nodes get more layers', async () => {
    const p = await planSpans('--preset', 'qwen1.5-1.8b', '--nodes', '2x4GB,2x4GB@3', '--context', '1024');
    expect(p.nodes).toBe(4);
    const layers = (id: string) => {
      const s = p.stages.find((x) => x.nodeIds.includes(id));
      return s ? s.span[1] - s.span[0] : 0;
    };
    expect(layers('node-2')).toBeGreaterThan(layers('node-0'));
  });

  it('reads nodes from a JSON file and honours --redundancy and --batch', async () => {
    const file = join(work, 'nodes.json');
    writeFileSync(
      file,
      JSON.stringify(
        Array.from({ length: 8 }, (_, i) => ({ id: `gpu${i}`, memoryBytes: 8e9, relativeSpeed: 1 })),
      ),
    );
    const one = await planSpans(
      '--preset',
      'llama-2-7b',
      '--nodes',
      file,
      '--dtype',
      'f16',
      '--context',
      '2048',
    );
    const two = await planSpans(
      '--preset',
      'llama-2-7b',
      '--nodes',
      file,
      '--dtype',
      'f16',
      '--context',
      '2048',
      '--redundancy',
      '2',
    );
    expect(one.stages.flatMap((s) => s.nodeIds).every((id) => id.startsWith('gpu'))).toBe(true);
    for (const s of two.stages) expect(s.nodeIds).toHaveLength(2);
    const b4 = await planSpans(
      '--preset',
      'llama-2-7b',
      '--nodes',
      file,
      '--dtype',
      'f16',
      '--context',
      '2048',
      '--batch',
      '4',
    );
    expect(b4.stages[0]!.kvCacheBytes / (b4.stages[0]!.span[1] - b4.stages[0]!.span[0])).toBe(
      (4 * one.stages[0]!.kvCacheBytes) / (one.stages[0]!.span[1] - one.stages[0]!.span[0]),
    );
  });

  it('int8 counts 1 + 4/32 bytes per weight and fits where f16 does not', async () => {
    const args = ['--preset', 'llama-2-7b', '--nodes', '3x4GB', '--context', '1024'];
    const p = await planSpans(...args, '--dtype', 'int8');
    expect(p.weightBytesPerParam).toBe(1.125);
    expect(p.stages.reduce((n, s) => n + s.weightBytes, 0)).toBeCloseTo(
      parameterCount(presetConfig('llama-2-7b')!) * 1.125,
      0,
    );
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(ailo('model', 'plan', ...args, '--dtype', 'f16', '--json')).rejects.toMatchObject({
        code: 'no_fit',
      });
    } finally {
      quiet.mockRestore();
    }
  });

  it('no fit: the planner error with its explanation on stderr, exit code 1', async () => {
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      err += String(c);
      return true;
    });
    try {
      await expect(
        ailo('model', 'plan', '--preset', 'llama-2-70b', '--nodes', '10x4GB', '--dtype', 'f16', '--json'),
      ).rejects.toMatchObject({ name: 'PipelineError', code: 'no_fit' });
    } finally {
      spy.mockRestore();
    }
    expect(err).toMatch(/Needs [\d.]+ GiB in all .* 10 node group\(s\) offer 37\.25 GiB/);
    const cli = await spawnCli([
      'model',
      'plan',
      '--preset',
      'llama-2-70b',
      '--nodes',
      '10x4GB',
      '--dtype',
      'f16',
    ]);
    expect(await cli.exited).toBe(1);
    const stderr = cli.stderr.join('');
    expect(stderr).toContain('Needs');
    expect(stderr).toContain('ailo: The nodes cannot hold this model. [no_fit]');
  });

  it('rejects malformed node lists and contradictory options', async () => {
    for (const bad of ['4xlots', '0x4GB', '4x-1GB', '2x4GB@0', 'x4GB']) {
      await expect(ailo('model', 'plan', '--preset', 'gpt2', '--nodes', bad)).rejects.toMatchObject({
        code: 'usage',
      });
    }
    const file = join(work, 'bad-nodes.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 'a', memoryBytes: 1e9 },
        { id: 'a', memoryBytes: 1e9 },
      ]),
    );
    await expect(ailo('model', 'plan', '--preset', 'gpt2', '--nodes', file)).rejects.toMatchObject({
      code: 'usage',
    });
    writeFileSync(file, '{not json');
    await expect(ailo('model', 'plan', '--preset', 'gpt2', '--nodes', file)).rejects.toMatchObject({
      code: 'usage',
    });
    await expect(
      ailo('model', 'plan', '--preset', 'gpt2', '--nodes', '2x4GB', '--chunks', '3'),
    ).rejects.toMatchObject({
      code: 'PLAN_INVALID',
    });
    await expect(ailo('model', 'plan', '--preset', 'gpt2', '--context', '128')).rejects.toMatchObject({
      code: 'PLAN_INVALID',
    });
    await expect(ailo('model', 'plan', '--preset', 'gpt2', '--dtype', 'int8')).rejects.toMatchObject({
      code: 'PLAN_INVALID',
    });
  });

  it('every new preset plans chunks offline', async () => {
    for (const preset of ['qwen2-0.5b', 'qwen1.5-1.8b', 'llama-2-7b', 'llama-2-70b', 'llama-3.1-405b']) {
      const plan = JSON.parse(await ailo('model', 'plan', '--preset', preset, '--dtype', 'f16', '--json'));
      expect(plan.params).toBe(parameterCount(presetConfig(preset)!));
      expect(plan.totalBytes).toBeGreaterThanOrEqual(plan.params * 2);
    }
  });
});
