import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeTensorFile,
  decodeUpdateFile,
  encodeTensorFile,
  encodeUpdateFile,
  modelHash,
} from '@ailo/fedavg';
import { openModelDir } from '@ailo/virtual-tensor/node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIXTURES_DIR = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), 'ailo-fl-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function ailo(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
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

async function failure(...args: string[]): Promise<{ code?: string; shortMessage?: string }> {
  try {
    await ailo(...args);
  } catch (e) {
    return e as { code?: string; shortMessage?: string };
  }
  throw new Error('expected the command to fail');
}

const schema = new Map<string, number[]>([
  ['a', [2]],
  ['b', [1, 1]],
]);
const model = new Map([
  ['a', new Float32Array([1, 1])],
  ['b', new Float32Array([0])],
]);
const BASE = modelHash(model, schema);
const basePath = join(work, 'base.safetensors');
writeFileSync(basePath, encodeTensorFile(model, schema));

function update(
  name: string,
  a: [number, number],
  b: number,
  numSamples: number,
  round = 4,
  base = BASE,
): string {
  const path = join(work, `${name}.safetensors`);
  const delta = new Map([
    ['a', new Float32Array(a)],
    ['b', new Float32Array([b])],
  ]);
  writeFileSync(path, encodeUpdateFile({ delta, shapes: schema, numSamples, round, base }));
  return path;
}

// hand-computed: Σ n_k Δ_k / n = ((0.5,−1)·2 + (1.5,1) + (−2,4)) / 4 = (0.125, 0.75); b: (8·2 + 0 − 4)/4 = 3
const u1 = update('u1', [0.5, -1], 8, 2);
const u2 = update('u2', [1.5, 1], 0, 1);
const u3 = update('u3', [-2, 4], -4, 1);

describe('ailo fl aggregate', () => {
  it('writes the aggregated step as an update file and prints {"clients","numSamples"}', async () => {
    const out = join(work, 'step.safetensors');
    const printed = await ailo('fl', 'aggregate', '--out', out, '--json', u1, u2, u3);
    expect(JSON.parse(printed)).toEqual({ clients: 3, numSamples: 4 });
    const step = decodeUpdateFile(readFileSync(out));
    expect([...step.delta.get('a')!]).toEqual([0.125, 0.75]);
    expect([...step.delta.get('b')!]).toEqual([3]);
    expect(step.numSamples).toBe(4);
    expect(step.round).toBe(4);
    expect(step.base).toBe(BASE);
    expect(step.metadata['clients']).toBe('3');
  });

  it('with --base writes M − η·Δ̄ and records parent and model hash', async () => {
    const out = join(work, 'model.safetensors');
    const printed = await ailo(
      'fl',
      'aggregate',
      '--out',
      out,
      '--base',
      basePath,
      '--server-lr',
      '0.5',
      u1,
      u2,
      u3,
    );
    expect(printed).toMatch(/aggregated 3 updates \(4 samples, fedavg\)/);
    const m = decodeTensorFile(readFileSync(out));
    expect([...m.tensors.get('a')!]).toEqual([1 - 0.0625, 1 - 0.375]);
    expect([...m.tensors.get('b')!]).toEqual([-1.5]);
    expect(m.metadata['parent']).toBe(BASE);
    expect(m.metadata['model_hash']).toBe(modelHash(m.tensors, m.schema));
  });

  it('robust rules: median and Krum', async () => {
    const out = join(work, 'median.safetensors');
    expect(
      JSON.parse(await ailo('fl', 'aggregate', '--out', out, '--rule', 'median', '--json', u1, u2, u3)),
    ).toEqual({
      clients: 3,
      numSamples: 4,
    });
    expect([...decodeUpdateFile(readFileSync(out)).delta.get('a')!]).toEqual([0.5, 1]);
    const k = [0, 1, 2.5, 3, 100].map((x, i) => update(`k${i}`, [x, x], x, 1));
    await ailo('fl', 'aggregate', '--out', out, '--rule', 'krum', '--byzantine', '1', ...k);
    expect([...decodeUpdateFile(readFileSync(out)).delta.get('a')!]).toEqual([2.5, 2.5]);
    await ailo('fl', 'aggregate', '--out', out, '--rule', 'trimmed-mean', '--trim', '0.2', ...k);
    expect([...decodeUpdateFile(readFileSync(out)).delta.get('a')!]).toEqual(
      [(1 + 2.5 + 3) / 3, (1 + 2.5 + 3) / 3].map(Math.fround),
    );
  });

  it('with --base as a packed model directory', async () => {
    const dir = join(work, 'packed');
    await ailo(
      'model',
      'pack',
      FIXTURES_DIR + '/tiny_qwen2.safetensors',
      '--config',
      FIXTURES_DIR + '/tiny_qwen2_config.json',
      '--out',
      dir,
      '--no-progress',
    );
    const vm = await openModelDir(dir);
    const entries = await vm.loadAll();
    const tensors = new Map(
      [...entries].map(([n, e]) => [
        n,
        new Float32Array(e.data.buffer.slice(e.data.byteOffset, e.data.byteOffset + e.data.length)),
      ]),
    );
    const shapes = new Map([...entries].map(([n, e]) => [n, e.shape]));
    const hash = modelHash(tensors, shapes);
    const delta = new Map([...tensors].map(([n, x]) => [n, x.map((_, i) => (i % 3) - 1)]));
    const up = join(work, 'qwen-update.safetensors');
    writeFileSync(up, encodeUpdateFile({ delta, shapes, numSamples: 3, round: 0, base: hash }));
    const out = join(work, 'qwen-next.safetensors');
    await ailo('fl', 'aggregate', '--out', out, '--base', dir, up);
    const next = decodeTensorFile(readFileSync(out));
    const [name, x] = [...tensors][0]!;
    expect([...next.tensors.get(name)!.slice(0, 6)]).toEqual(
      [...x.slice(0, 6)].map((v, i) => Math.fround(v - ((i % 3) - 1))),
    );
    expect(next.metadata['parent']).toBe(hash);
  });

  it('refuses mismatched bases and rounds, bad files, and never writes a partial output', async () => {
    const out = join(work, 'never.safetensors');
    const other = update('other-base', [1, 1], 1, 1, 4, 'cd'.repeat(32));
    expect(await failure('fl', 'aggregate', '--out', out, u1, other)).toMatchObject({ code: 'WRONG_BASE' });
    expect(await failure('fl', 'aggregate', '--out', out, '--base', basePath, other)).toMatchObject({
      code: 'WRONG_BASE',
    });
    const r5 = update('round5', [1, 1], 1, 1, 5);
    expect(await failure('fl', 'aggregate', '--out', out, u1, r5)).toMatchObject({ code: 'WRONG_ROUND' });
    const junk = join(work, 'junk.safetensors');
    writeFileSync(junk, 'not safetensors');
    const err = await failure('fl', 'aggregate', '--out', out, u1, junk);
    expect(err).toMatchObject({ code: 'INVALID_UPDATE_FILE' });
    expect(err.shortMessage).toContain('junk.safetensors');
    expect(await failure('fl', 'aggregate', '--out', out, join(work, 'missing.safetensors'))).toMatchObject({
      code: 'INVALID_UPDATE_FILE',
    });
    const wrongShape = join(work, 'wrong-shape.safetensors');
    writeFileSync(
      wrongShape,
      encodeUpdateFile({
        delta: new Map([
          ['a', new Float32Array(3)],
          ['b', new Float32Array(1)],
        ]),
        shapes: new Map([
          ['a', [3]],
          ['b', [1, 1]],
        ]),
        numSamples: 1,
        round: 4,
        base: BASE,
      }),
    );
    expect(await failure('fl', 'aggregate', '--out', out, u1, wrongShape)).toMatchObject({
      code: 'SHAPE_MISMATCH',
    });
    expect(
      await failure('fl', 'aggregate', '--out', out, '--rule', 'krum', '--byzantine', '1', u1, u2, u3),
    ).toMatchObject({
      code: 'NOT_ENOUGH_CLIENTS',
    });
    expect(() => readFileSync(out)).toThrow();
  });
});
