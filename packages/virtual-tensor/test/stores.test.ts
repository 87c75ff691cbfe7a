import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChunkStore, IdbStore, MemoryStore, VirtualTensorError } from '../src/index';
import { FsStore } from '../src/node';

const work = mkdtempSync(join(tmpdir(), 'vt-stores-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const stores: [string, () => ChunkStore][] = [
  ['MemoryStore', () => new MemoryStore()],
  ['FsStore', () => new FsStore(mkdtempSync(join(work, 'fs-')))],
  ['IdbStore (fake-indexeddb)', () => new IdbStore({ name: 'vt-test', indexedDB: new IDBFactory() })],
];

for (const [name, make] of stores) {
  describe(`${name} contract`, () => {
    it('put / get / has / keys / delete', async () => {
      const s = make();
      expect(await s.get('chunk-00000.bin')).toBeUndefined();
      expect(await s.has('chunk-00000.bin')).toBe(false);
      const big = new Uint8Array(1000).map((_, i) => i & 0xff);
      await s.put('chunk-00001.bin', big.subarray(10, 20));
      await s.put('chunk-00000.bin', new Uint8Array([1, 2, 3]));
      expect(Array.from((await s.get('chunk-00001.bin'))!)).toEqual(Array.from(big.subarray(10, 20)));
      expect(await s.has('chunk-00001.bin')).toBe(true);
      expect(await s.keys()).toEqual(['chunk-00000.bin', 'chunk-00001.bin']);
      await s.put('chunk-00000.bin', new Uint8Array([9]));
      expect(Array.from((await s.get('chunk-00000.bin'))!)).toEqual([9]);
      await s.delete('chunk-00000.bin');
      await s.delete('chunk-00000.bin');
      expect(await s.keys()).toEqual(['chunk-00001.bin']);
    });

    it('keeps its own copy of put bytes', async () => {
      const s = make();
      const b = new Uint8Array([1, 2, 3]);
      await s.put('k.bin', b);
      b[0] = 7;
      expect((await s.get('k.bin'))![0]).toBe(1);
    });

    it('rejects keys that are not plain file names', async () => {
      const s = make();
      for (const key of ['../x', 'a/b', '.hidden', '']) {
        await expect(s.put(key, new Uint8Array(1))).rejects.toMatchObject({ code: 'IO_ERROR' });
      }
    });
  });
}

describe('FsStore', () => {
  it('writes atomically: no temporary files remain, and a failed write leaves the old value', async () => {
    const dir = mkdtempSync(join(work, 'atomic-'));
    const s = new FsStore(dir);
    await s.put('c.bin', new Uint8Array([1]));
    expect(readdirSync(dir)).toEqual(['c.bin']);
    const failing = new FsStore(dir, {
      fs: {
        ...(await import('node:fs/promises')),
        rename: async () => {
          throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        },
      },
    });
    const err = await failing.put('c.bin', new Uint8Array([2])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VirtualTensorError);
    expect(err).toMatchObject({ code: 'IO_ERROR', meta: { code: 'ENOSPC' } });
    expect(readdirSync(dir)).toEqual(['c.bin']);
    expect(Array.from((await s.get('c.bin'))!)).toEqual([1]);
  });

  it('lists nothing for a missing directory', async () => {
    expect(await new FsStore(join(work, 'nope')).keys()).toEqual([]);
  });
});

describe('IdbStore', () => {
  it('persists across instances of the same database', async () => {
    const factory = new IDBFactory();
    const a = new IdbStore({ name: 'persist', indexedDB: factory });
    await a.put('c.bin', new Uint8Array([4, 5]));
    await a.close();
    const b = new IdbStore({ name: 'persist', indexedDB: factory });
    expect(Array.from((await b.get('c.bin'))!)).toEqual([4, 5]);
    await b.close();
  });

  it('fails with IO_ERROR where IndexedDB is unavailable', async () => {
    const g = globalThis as { indexedDB?: IDBFactory };
    const saved = g.indexedDB;
    delete g.indexedDB;
    try {
      const s = new IdbStore({ name: 'x' });
      await expect(s.get('c.bin')).rejects.toMatchObject({ code: 'IO_ERROR' });
    } finally {
      if (saved) g.indexedDB = saved;
    }
  });

  it('uses the global indexedDB by default', async () => {
    const s = new IdbStore({ name: 'global' });
    await s.put('c.bin', new Uint8Array([1]));
    expect(await s.keys()).toEqual(['c.bin']);
    await s.close();
  });
});
