import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/index';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

async function all(
  store: ReturnType<typeof memoryStore>,
  prefix: string,
): Promise<Array<[string, number[]]>> {
  const out: Array<[string, number[]]> = [];
  for await (const [k, v] of store.entries(prefix)) out.push([k, [...v]]);
  return out;
}

describe('memoryStore', () => {
  it('writes a batch, reads it back in key order by prefix, and deletes', async () => {
    const store = memoryStore();
    await store.open();
    await store.write([
      { type: 'put', key: 'st:b', value: bytes(2) },
      { type: 'put', key: 'st:a', value: bytes(1) },
      { type: 'put', key: 'i:x', value: bytes(9) },
      { type: 'put', key: 'st:', value: bytes(0) },
    ]);
    expect(await all(store, 'st:')).toEqual([
      ['st:', [0]],
      ['st:a', [1]],
      ['st:b', [2]],
    ]);
    expect((await all(store, '')).map(([k]) => k)).toEqual(['i:x', 'st:', 'st:a', 'st:b']);
    await store.write([{ type: 'del', key: 'st:a' }]);
    expect(await store.get('st:a')).toBeUndefined();
    expect(await store.get('i:x')).toEqual(bytes(9));
  });

  it('copies values on write, so a caller reusing its buffer cannot change stored data', async () => {
    const store = memoryStore();
    await store.open();
    const value = bytes(1, 2, 3);
    await store.write([{ type: 'put', key: 'k', value }]);
    value[0] = 42;
    expect(await store.get('k')).toEqual(bytes(1, 2, 3));
  });

  it('a malformed op rejects the whole batch with STORE_ERROR and writes nothing', async () => {
    const store = memoryStore();
    await store.open();
    const bad = [
      { type: 'put', key: 'a', value: bytes(1) },
      { type: 'put', key: 'b', value: 'not bytes' },
    ] as never;
    await expect(store.write(bad)).rejects.toMatchObject({ name: 'LedgerError', code: 'STORE_ERROR' });
    expect(await store.get('a')).toBeUndefined();
  });

  it('iteration is a snapshot: a write during iteration does not change it', async () => {
    const store = memoryStore();
    await store.open();
    await store.write([
      { type: 'put', key: 'p:1', value: bytes(1) },
      { type: 'put', key: 'p:2', value: bytes(2) },
    ]);
    const seen: string[] = [];
    for await (const [k] of store.entries('p:')) {
      seen.push(k);
      await store.write([{ type: 'put', key: 'p:3', value: bytes(3) }]);
    }
    expect(seen).toEqual(['p:1', 'p:2']);
  });

  it('keeps its data across close and open, and refuses use while closed', async () => {
    const store = memoryStore();
    await store.open();
    await store.write([{ type: 'put', key: 'k', value: bytes(7) }]);
    await store.close();
    await expect(store.get('k')).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await expect(store.write([{ type: 'del', key: 'k' }])).rejects.toMatchObject({ code: 'STORE_ERROR' });
    await store.open();
    expect(await store.get('k')).toEqual(bytes(7));
  });
});
