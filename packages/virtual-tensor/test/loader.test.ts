import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ChunkStore,
  chunkFileName,
  exportSafetensors,
  float32ToEntry,
  MemoryStore,
  makeModelConfig,
  modelConfigFromHf,
  modelTensors,
  nobleSha256Hex,
  packTensors,
  parseSafetensors,
  sha256Hex,
  type TensorEntry,
  VirtualModel,
  VirtualTensorError,
} from '../src/index';
import { nodeSha256Hex } from '../src/node';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

/** A MemoryStore that counts reads and can corrupt what it returns. */
class SpyStore extends MemoryStore {
  gets: string[] = [];
  invalidated: string[] = [];
  tamper: ((key: string, bytes: Uint8Array, nth: number) => Uint8Array | undefined) | undefined;
  override async get(key: string) {
    this.gets.push(key);
    const b = await super.get(key);
    if (!b || !this.tamper) return b;
    return this.tamper(key, b, this.gets.filter((k) => k === key).length);
  }
  async invalidate(key: string) {
    this.invalidated.push(key);
  }
}

/** A synthetic gpt2 model with random weights: 4 layers, d 32. */
async function synthetic(chunks: number, store: ChunkStore) {
  const config = makeModelConfig({
    architecture: 'gpt2',
    numLayers: 4,
    hiddenSize: 32,
    numHeads: 4,
    vocabSize: 100,
    maxPositions: 64,
  });
  let seed = 1;
  const tensors = new Map<string, TensorEntry>();
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((p, d) => p * d, 1);
    const v = new Float32Array(n).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5);
    tensors.set(t.name, float32ToEntry(v, t.shape));
  }
  const packed = await packTensors(tensors, { config, chunks, store });
  return { config, tensors, ...packed };
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('VirtualModel loading', () => {
  it('loads only the chunks a layer range needs, as views into verified chunk bytes', async () => {
    const store = new SpyStore();
    const { manifest, tensors } = await synthetic(8, store);
    const m = VirtualModel.open(manifest, store, { hash: nodeSha256Hex });
    const got = await m.loadLayers(1, 3);
    const want = m.chunksFor(1, 3);
    expect(want).not.toContain(0);
    expect([...new Set(store.gets)].sort()).toEqual(want.map(chunkFileName));
    expect([...got.keys()]).toEqual([...m.layerTensorNames(1), ...m.layerTensorNames(2)]);
    for (const [k, t] of got) expect(bytesEqual(t.data, tensors.get(k)!.data)).toBe(true);
    // single-segment tensors are zero-copy views into the chunk
    const single = manifest.tensors.find((t) => got.has(t.name) && t.segments.length === 1)!;
    const chunk = await m.chunk(single.segments[0]!.chunk);
    expect(got.get(single.name)!.data.buffer).toBe(chunk.buffer);
    const f32 = (await m.loadLayersFloat32(1, 3)).get(single.name)!;
    expect(f32.buffer).toBe(chunk.buffer);
  });

  it('adds embeddings for the first stage and the head for the last', async () => {
    const store = new MemoryStore();
    const { manifest } = await synthetic(6, store);
    const m = VirtualModel.open(manifest, store);
    const first = await m.loadLayers(0, 2);
    expect(first.has('transformer.wte.weight')).toBe(true);
    expect(first.has('transformer.ln_f.weight')).toBe(false);
    const last = await m.loadLayers(2, 4);
    expect(last.has('transformer.ln_f.weight')).toBe(true);
    expect(last.has('transformer.wte.weight')).toBe(true); // tied head
    expect(last.has('transformer.wpe.weight')).toBe(false);
    const bare = await m.loadLayers(0, 4, { embeddings: false, head: false });
    expect(bare.has('transformer.wte.weight')).toBe(false);
    await expect(m.loadLayers(3, 5)).rejects.toMatchObject({ code: 'PLAN_INVALID' });
    await expect(m.tensor('nope')).rejects.toMatchObject({ code: 'TENSOR_NOT_FOUND' });
  });

  it('reassembles tensors that span chunks', async () => {
    const store = new MemoryStore();
    const { manifest, tensors } = await synthetic(20, store);
    const spanning = manifest.tensors.filter((t) => t.segments.length > 1);
    expect(spanning.length).toBeGreaterThan(0);
    const m = VirtualModel.open(manifest, store);
    for (const t of spanning)
      expect(bytesEqual((await m.tensor(t.name)).data, tensors.get(t.name)!.data)).toBe(true);
  });

  it('round-trips the hf-tiny qwen2 model through packTensors → exportSafetensors', async () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
    const config = modelConfigFromHf(JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8')));
    const store = new MemoryStore();
    const { manifest } = await packTensors(file.tensors, {
      config,
      chunks: 3,
      store,
      metadata: { format: 'pt' },
    });
    const back = parseSafetensors(await exportSafetensors(VirtualModel.open(manifest, store)));
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of file.tensors) expect(bytesEqual(back.tensors.get(k)!.data, t.data)).toBe(true);
  });

  it('converts dtype at pack time (f16, bf16) within half-precision rounding', async () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
    const config = modelConfigFromHf(JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8')));
    for (const [dtype, tol] of [
      ['f16', 2 ** -11],
      ['bf16', 2 ** -8],
    ] as const) {
      const store = new MemoryStore();
      const { manifest } = await packTensors(file.tensors, { config, dtype, store });
      expect(manifest.dtype).toBe(dtype);
      const m = VirtualModel.open(manifest, store);
      const w = await m.tensorFloat32('model.layers.0.mlp.up_proj.weight');
      const ref = new Float32Array(
        file.tensors.get('model.layers.0.mlp.up_proj.weight')!.data.slice().buffer,
      );
      for (let i = 0; i < ref.length; i++)
        expect(Math.abs(w[i]! - ref[i]!)).toBeLessThanOrEqual(Math.abs(ref[i]!) * tol + 1e-30);
    }
  });
});

describe('VirtualModel integrity', () => {
  it('a chunk that fails sha256 once is invalidated and re-fetched', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(4, store);
    store.tamper = (_k, b, nth) => (nth === 1 ? b.map((x, i) => (i === 7 ? x ^ 1 : x)) : b);
    const m = VirtualModel.open(manifest, store);
    await m.loadLayers(0, 4);
    expect(m.stats.refetches).toBe(4);
    // chunks are fetched concurrently: the order of invalidation is not defined
    expect([...store.invalidated].sort()).toEqual(manifest.chunks.map((c) => c.file).sort());
  });

  it('a chunk that stays corrupt fails with CHUNK_INTEGRITY and is never returned', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(4, store);
    store.tamper = (k, b) => (k === manifest.chunks[2]!.file ? b.map((x, i) => (i === 0 ? x ^ 0x80 : x)) : b);
    const m = VirtualModel.open(manifest, store);
    const err = await m.loadLayers(0, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VirtualTensorError);
    expect(err).toMatchObject({ code: 'CHUNK_INTEGRITY', meta: { chunk: 2 } });
    expect(store.gets.filter((k) => k === manifest.chunks[2]!.file)).toHaveLength(2);
    expect(m.residentChunks()).not.toContain(2);
  });

  it('a truncated chunk fails with CHUNK_INTEGRITY', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(2, store);
    store.tamper = (_k, b) => b.subarray(0, b.length - 1);
    await expect(VirtualModel.open(manifest, store).chunk(0)).rejects.toMatchObject({
      code: 'CHUNK_INTEGRITY',
    });
  });

  it('a missing chunk fails with CHUNK_NOT_FOUND', async () => {
    const store = new MemoryStore();
    const { manifest } = await synthetic(2, store);
    await store.delete(manifest.chunks[1]!.file);
    await expect(VirtualModel.open(manifest, store).loadAll()).rejects.toMatchObject({
      code: 'CHUNK_NOT_FOUND',
    });
  });

  it('an invalid manifest is refused at open', () => {
    expect(() => VirtualModel.open({ format: 'x' }, new MemoryStore())).toThrow(
      expect.objectContaining({ code: 'MANIFEST_INVALID' }),
    );
  });

  it('noble, WebCrypto and node:crypto agree', async () => {
    const b = new Uint8Array(3_000_001).map((_, i) => (i * 31) & 0xff);
    const x = await nodeSha256Hex(b);
    expect(await sha256Hex(b)).toBe(x);
    expect(await nobleSha256Hex(b)).toBe(x);
    expect(await nobleSha256Hex(b.subarray(3))).toBe(await nodeSha256Hex(b.subarray(3)));
  });
});

describe('VirtualModel budget', () => {
  it('evicts least recently used chunks to stay within the budget', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(8, store);
    const biggest = Math.max(...manifest.chunks.map((c) => c.bytes));
    const m = VirtualModel.open(manifest, store, { budgetBytes: 3 * biggest });
    for (let i = 0; i < 8; i++) {
      await m.chunk(i);
      expect(m.residentBytes).toBeLessThanOrEqual(3 * biggest);
    }
    expect(m.residentChunks()).toEqual([5, 6, 7]);
    await m.chunk(5); // hit: becomes most recent
    await m.chunk(0); // evicts 6, the least recently used
    expect(m.residentChunks()).toEqual([7, 5, 0]);
    expect(m.stats).toMatchObject({ hits: 1, misses: 9, evictions: 6 });
  });

  it('refuses a load that needs more than the budget, before fetching', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(8, store);
    const m = VirtualModel.open(manifest, store, { budgetBytes: manifest.chunks[0]!.bytes * 2 });
    await expect(m.loadLayers(0, 4)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(store.gets).toEqual([]);
  });

  it('concurrent loads of one chunk fetch it once', async () => {
    const store = new SpyStore();
    const { manifest } = await synthetic(4, store);
    const m = VirtualModel.open(manifest, store);
    await Promise.all([m.chunk(1), m.chunk(1), m.loadLayers(0, 4)]);
    expect(store.gets.filter((k) => k === manifest.chunks[1]!.file)).toHaveLength(1);
  });
});
