import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  convertEntry,
  encodeSafetensors,
  parseSafetensors,
  toFloat32,
  VirtualTensorError,
  validateManifest,
} from '../src/index';
import { openModelDir, type PackFs, packModel } from '../src/node';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const QWEN = `${FIX}/tiny_qwen2.safetensors`;
const hfConfig = JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'vt-bad-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fsError = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });

/** Files left next to `out` besides `out` itself (temporaries, locks, swapped-out packs). */
const leftovers = (parent: string, out: string) =>
  readdirSync(parent).filter((n) => n !== out && n.startsWith(out));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VirtualTensorError);
    return (e as VirtualTensorError).code;
  }
  return undefined;
}

describe('packModel failures leave nothing behind', () => {
  it('ENOSPC while writing chunks: typed error, no output, no temp dir, lock released', async () => {
    const parent = mkdtempSync(join(work, 'enospc-'));
    let writes = 0;
    const fs: PackFs = {
      ...fsp,
      writeFile: (async (...args: Parameters<typeof fsp.writeFile>) => {
        if (++writes === 2) throw fsError('ENOSPC');
        return fsp.writeFile(...args);
      }) as typeof fsp.writeFile,
    };
    const err = await packModel({ input: QWEN, out: join(parent, 'm'), hfConfig, chunks: 3, fs }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'IO_ERROR', meta: { code: 'ENOSPC' } });
    expect(readdirSync(parent)).toEqual([]);
    // the lock is released: a second pack succeeds
    await packModel({ input: QWEN, out: join(parent, 'm'), hfConfig, chunks: 3 });
    expect(readdirSync(parent)).toEqual(['m']);
  });

  it('ENOSPC while writing the manifest keeps the previous pack intact', async () => {
    const parent = mkdtempSync(join(work, 'keep-'));
    const out = join(parent, 'm');
    await packModel({ input: QWEN, out, hfConfig, chunks: 2 });
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const fs: PackFs = {
      ...fsp,
      writeFile: (async (...args: Parameters<typeof fsp.writeFile>) => {
        if (String(args[0]).endsWith('manifest.json')) throw fsError('ENOSPC');
        return fsp.writeFile(...args);
      }) as typeof fsp.writeFile,
    };
    expect(await codeOf(packModel({ input: QWEN, out, hfConfig, chunks: 4, fs }))).toBe('IO_ERROR');
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
    expect(leftovers(parent, 'm')).toEqual([]);
    await (await openModelDir(out)).loadAll();
  });

  it('EACCES creating the output: typed error', async () => {
    const parent = mkdtempSync(join(work, 'eacces-'));
    const fs: PackFs = {
      ...fsp,
      mkdir: (async () => {
        throw fsError('EACCES');
      }) as typeof fsp.mkdir,
    };
    const err = await packModel({ input: QWEN, out: join(parent, 'sub', 'm'), hfConfig, fs }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'IO_ERROR', meta: { code: 'EACCES' } });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('an output path below a regular file: typed error', async () => {
    const file = join(work, 'plain-file');
    writeFileSync(file, 'x');
    expect(await codeOf(packModel({ input: QWEN, out: join(file, 'm'), hfConfig }))).toBe('IO_ERROR');
  });

  it('refuses to replace a directory that is not a pack', async () => {
    const out = mkdtempSync(join(work, 'notpack-'));
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    expect(await codeOf(packModel({ input: QWEN, out, hfConfig }))).toBe('IO_ERROR');
    expect(readdirSync(out)).toEqual(['precious.txt']);
  });

  it('concurrent packs into one directory: the second gets PACK_LOCKED, the first completes', async () => {
    const parent = mkdtempSync(join(work, 'race-'));
    const out = join(parent, 'm');
    let reached!: () => void;
    const atFirstWrite = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowFs: PackFs = {
      ...fsp,
      writeFile: (async (...args: Parameters<typeof fsp.writeFile>) => {
        reached();
        await gate;
        return fsp.writeFile(...args);
      }) as typeof fsp.writeFile,
    };
    const first = packModel({ input: QWEN, out, hfConfig, chunks: 2, fs: slowFs });
    await atFirstWrite; // the first pack holds the lock and is mid-way
    const second = await packModel({ input: QWEN, out, hfConfig, chunks: 5 }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(VirtualTensorError);
    expect(second).toMatchObject({ code: 'PACK_LOCKED' });
    release();
    const { manifest } = await first;
    expect(manifest.chunks).toHaveLength(2);
    expect(readdirSync(parent)).toEqual(['m']);
    validateManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    await (await openModelDir(out)).loadAll();
  });

  it('takes over a lock left by a dead process, but not one held by a live one', async () => {
    const parent = mkdtempSync(join(work, 'stale-'));
    const out = join(parent, 'm');
    writeFileSync(`${out}.ailo-pack.lock`, '999999999\n');
    await packModel({ input: QWEN, out, hfConfig });
    expect(existsSync(`${out}.ailo-pack.lock`)).toBe(false);
    writeFileSync(`${out}.ailo-pack.lock`, `${process.pid}\n`);
    expect(await codeOf(packModel({ input: QWEN, out, hfConfig }))).toBe('PACK_LOCKED');
  });
});

describe('packModel input handling', () => {
  it('bad safetensors inputs give their typed errors and write nothing', async () => {
    const dir = mkdtempSync(join(work, 'badst-'));
    const good = new Uint8Array(readFileSync(QWEN));
    const cases: [string, Uint8Array, string][] = [
      [
        'huge.safetensors',
        (() => {
          const b = good.slice();
          new DataView(b.buffer).setUint32(0, 200_000_000, true);
          return b;
        })(),
        'SAFETENSORS_HEADER_TOO_LARGE',
      ],
      [
        'beyond.safetensors',
        (() => {
          const b = good.slice();
          new DataView(b.buffer).setUint32(0, 50_000, true);
          return b;
        })(),
        'SAFETENSORS_TRUNCATED',
      ],
      ['cut.safetensors', good.subarray(0, good.length - 100), 'SAFETENSORS_OFFSETS'],
      ['tiny.safetensors', good.subarray(0, 3), 'SAFETENSORS_TRUNCATED'],
    ];
    for (const [name, bytes, code] of cases) {
      writeFileSync(join(dir, name), bytes);
      const out = join(dir, `out-${name}`);
      expect(await codeOf(packModel({ input: join(dir, name), out, hfConfig })), name).toBe(code);
      expect(existsSync(out)).toBe(false);
    }
    expect(
      await codeOf(packModel({ input: join(dir, 'nope.safetensors'), out: join(dir, 'o'), hfConfig })),
    ).toBe('IO_ERROR');
    expect(await codeOf(packModel({ input: `${FIX}/README.md`, out: join(dir, 'o'), hfConfig }))).toBe(
      'PACK_INPUT_INVALID',
    );
  });

  it('a config that disagrees with the weights → CONFIG_INVALID', async () => {
    const out = join(work, 'mismatch');
    expect(
      await codeOf(packModel({ input: QWEN, out, hfConfig: { ...hfConfig, intermediate_size: 16 } })),
    ).toBe('CONFIG_INVALID');
    expect(
      await codeOf(packModel({ input: QWEN, out, hfConfig: { ...hfConfig, num_hidden_layers: 1 } })),
    ).toBe('CONFIG_INVALID');
    expect(
      await codeOf(packModel({ input: QWEN, out, hfConfig: { ...hfConfig, num_hidden_layers: 3 } })),
    ).toBe('CONFIG_INVALID');
    expect(existsSync(out)).toBe(false);
  });

  it('packs a sharded HF directory (index + 2 bf16 shards + config.json) and converts to f32', async () => {
    const dir = mkdtempSync(join(work, 'sharded-'));
    const src = parseSafetensors(new Uint8Array(readFileSync(QWEN)));
    const names = [...src.tensors.keys()].sort();
    const bf16 = new Map([...src.tensors].map(([k, t]) => [k, convertEntry(t, 'bf16')]));
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    shards.forEach((ns, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeFileSync(join(dir, file), encodeSafetensors(ns.map((n) => [n, bf16.get(n)!] as const)));
      for (const n of ns) weightMap[n] = file;
    });
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 1 }, weight_map: weightMap }),
    );
    writeFileSync(join(dir, 'config.json'), JSON.stringify(hfConfig));
    const out = join(work, 'sharded-out');
    const { manifest } = await packModel({ input: dir, out, dtype: 'f32' });
    expect(manifest.dtype).toBe('f32');
    const model = await openModelDir(out);
    for (const n of names) {
      const expected = toFloat32(bf16.get(n)!);
      expect(Array.from(await model.tensorFloat32(n)), n).toEqual(Array.from(expected));
    }
    // the index pointing at a shard that lacks a tensor
    weightMap[names[0]!] = 'model-00002-of-00002.safetensors';
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
    expect(await codeOf(packModel({ input: dir, out: join(work, 'x') }))).toBe('PACK_INPUT_INVALID');
    writeFileSync(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { a: '../../etc/passwd' } }),
    );
    expect(await codeOf(packModel({ input: dir, out: join(work, 'x') }))).toBe('PACK_INPUT_INVALID');
  });

  it('a directory with several safetensors files and no index → PACK_INPUT_INVALID', async () => {
    const dir = mkdtempSync(join(work, 'multi-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.safetensors'), readFileSync(QWEN));
    writeFileSync(join(dir, 'b.safetensors'), readFileSync(QWEN));
    expect(await codeOf(packModel({ input: dir, out: join(dir, 'o'), hfConfig }))).toBe('PACK_INPUT_INVALID');
  });
});
