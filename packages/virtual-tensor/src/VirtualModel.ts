import { INTEGRITY_REFETCHES, TENSOR_ALIGN } from './constants';
import type { DType } from './dtype';
import { VirtualTensorError } from './errors';
import { chunksForLayers, layerTensorNames, type StageParts, tensorsForLayers } from './layerIndex';
import type { Manifest, ManifestChunk, ManifestTensor } from './manifestSchema';
import type { ModelConfig } from './modelConfig';
import type { TensorEntry } from './safetensors';
import { type HashFn, sha256Hex } from './sha256';
import type { ChunkProgress, ChunkStore } from './stores/ChunkStore';
import { toFloat32 } from './toFloat32';
import { validateManifest } from './validateManifest';

/** Options of {@link VirtualModel.open}. */
export interface VirtualModelOptions {
  /** most chunk bytes kept resident; least recently used chunks are evicted first (default: unlimited). bytes */
  budgetBytes?: number;
  /** sha256 implementation (default WebCrypto / @noble/hashes; Node: `nodeSha256Hex`) */
  hash?: HashFn;
  /** progress of chunk transfers, forwarded to the store */
  onProgress?: (e: ChunkProgress) => void;
  /** chunks fetched at once by a multi-chunk load (default 2) */
  concurrency?: number;
}

/** Options of one load. */
export interface LoadOptions extends StageParts {
  signal?: AbortSignal;
}

/** Counters of a {@link VirtualModel}. */
export interface VirtualModelStats {
  /** chunk reads served from the resident set */
  hits: number;
  /** chunk reads that went to the store */
  misses: number;
  /** chunks fetched again after failing verification */
  refetches: number;
  /** chunks evicted for the budget */
  evictions: number;
  /** bytes verified with sha256 */
  verifiedBytes: number;
}

interface Resident {
  bytes: Uint8Array;
  pins: number;
}

/**
 * A packed model opened over a {@link ChunkStore}: loads the chunks a layer
 * range needs, verifies each one's sha256 before use, keeps them under a byte
 * budget (LRU), and hands out tensors as views into the chunk bytes.
 *
 * Tensor views stay valid after their chunk is evicted (they keep its memory
 * alive); the budget bounds what this object holds, not what callers retain.
 */
export class VirtualModel {
  /** the validated manifest */
  readonly manifest: Manifest;
  readonly store: ChunkStore;
  readonly stats: VirtualModelStats = { hits: 0, misses: 0, refetches: 0, evictions: 0, verifiedBytes: 0 };
  readonly #opts: VirtualModelOptions;
  readonly #hash: HashFn;
  readonly #tensors: Map<string, ManifestTensor>;
  /** insertion order is recency order: first = least recently used */
  readonly #resident = new Map<number, Resident>();
  readonly #inflight = new Map<number, Promise<Uint8Array>>();
  /** chunk-id lists of loads in progress; a chunk admitted while listed starts pinned once per list */
  readonly #pending: (readonly number[])[] = [];
  #residentBytes = 0;

  private constructor(manifest: Manifest, store: ChunkStore, opts: VirtualModelOptions) {
    this.manifest = manifest;
    this.store = store;
    this.#opts = opts;
    this.#hash = opts.hash ?? sha256Hex;
    this.#tensors = new Map(manifest.tensors.map((t) => [t.name, t]));
    if (opts.budgetBytes !== undefined && !(opts.budgetBytes >= 0)) {
      throw new VirtualTensorError('BUDGET_EXCEEDED', 'budgetBytes must be a non-negative number.');
    }
  }

  /**
   * Validates `manifest` (schema and cross-references) and opens the model.
   * @throws VirtualTensorError `MANIFEST_INVALID`
   */
  static open(manifest: unknown, store: ChunkStore, opts: VirtualModelOptions = {}): VirtualModel {
    return new VirtualModel(validateManifest(manifest), store, opts);
  }

  /** Model config: architecture, dimensions and the HF-style `hf` fields. */
  get config(): ModelConfig {
    return this.manifest.model as ModelConfig;
  }

  /** Bytes of chunks currently resident. */
  get residentBytes(): number {
    return this.#residentBytes;
  }

  /** Ids of resident chunks, least recently used first. */
  residentChunks(): number[] {
    return [...this.#resident.keys()];
  }

  /** Tensor names of block `layer` in forward order. */
  layerTensorNames(layer: number): string[] {
    return layerTensorNames(this.manifest, layer);
  }

  /** Chunk ids a holder of blocks [first, end) needs. */
  chunksFor(first: number, end: number, parts: StageParts = {}): number[] {
    return chunksForLayers(this.manifest, first, end, parts);
  }

  /** Tensor table entry of `name`. */
  tensorInfo(name: string): ManifestTensor {
    const t = this.#tensors.get(name);
    if (!t)
      throw new VirtualTensorError('TENSOR_NOT_FOUND', `No tensor "${name}" in this model.`, {
        meta: { name },
      });
    return t;
  }

  /**
   * Loads (and verifies) everything a holder of blocks [first, end) needs —
   * plus embeddings when `first` is 0 and the head when `end` is the layer
   * count, unless `parts` says otherwise — and returns the tensors by name.
   * Data are views into verified chunk bytes where a tensor lies in one chunk
   * (64-byte aligned), fresh buffers where it spans chunks.
   * @throws VirtualTensorError `BUDGET_EXCEEDED`, `CHUNK_NOT_FOUND`, `CHUNK_INTEGRITY`, `HTTP_ERROR`, …
   */
  async loadLayers(first: number, end: number, opts: LoadOptions = {}): Promise<Map<string, TensorEntry>> {
    const names = tensorsForLayers(this.manifest, first, end, opts);
    return this.#loadTensors(names, opts.signal);
  }

  /** {@link loadLayers} with every tensor converted by {@link toFloat32} (zero-copy for f32). */
  async loadLayersFloat32(
    first: number,
    end: number,
    opts: LoadOptions = {},
  ): Promise<Map<string, Float32Array>> {
    const entries = await this.loadLayers(first, end, opts);
    return new Map([...entries].map(([k, v]) => [k, toFloat32(v)]));
  }

  /** Loads one tensor. */
  async tensor(name: string, opts: { signal?: AbortSignal } = {}): Promise<TensorEntry> {
    this.tensorInfo(name);
    return (await this.#loadTensors([name], opts.signal)).get(name)!;
  }

  /** Loads one tensor as float32 (zero-copy for aligned f32). */
  async tensorFloat32(name: string, opts: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    return toFloat32(await this.tensor(name, opts));
  }

  /** Loads all tensors. */
  async loadAll(opts: { signal?: AbortSignal } = {}): Promise<Map<string, TensorEntry>> {
    return this.#loadTensors(
      this.manifest.tensors.map((t) => t.name),
      opts.signal,
    );
  }

  /**
   * Returns the verified bytes of chunk `id`, from the resident set or the
   * store. A chunk with the wrong length or sha256 is invalidated in the
   * store and fetched again once; a second failure throws `CHUNK_INTEGRITY`.
   */
  async chunk(id: number, opts: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const info = this.#chunkInfo(id);
    this.#checkBudget([info]);
    const ids = [id];
    this.#pin(ids);
    try {
      return await this.#ensure(id, opts.signal);
    } finally {
      this.#unpin(ids);
    }
  }

  /** Drops every unpinned resident chunk. */
  evictAll(): void {
    for (const [id, r] of this.#resident) if (r.pins === 0) this.#evict(id);
  }

  #chunkInfo(id: number): ManifestChunk {
    const c = this.manifest.chunks[id];
    if (!c)
      throw new VirtualTensorError('CHUNK_NOT_FOUND', `No chunk ${id} in this model.`, {
        meta: { chunk: id },
      });
    return c;
  }

  #checkBudget(chunks: readonly ManifestChunk[]): void {
    const budget = this.#opts.budgetBytes;
    if (budget === undefined) return;
    const need = chunks.reduce((s, c) => s + c.bytes, 0);
    if (need > budget) {
      throw new VirtualTensorError(
        'BUDGET_EXCEEDED',
        'The requested tensors need more bytes than the budget.',
        {
          details: `${need} bytes in ${chunks.length} chunks, budget ${budget} bytes.`,
          meta: { needBytes: need, budgetBytes: budget },
        },
      );
    }
  }

  async #loadTensors(
    names: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<Map<string, TensorEntry>> {
    const infos = names.map((n) => this.tensorInfo(n));
    const ids = [...new Set(infos.flatMap((t) => t.segments.map((s) => s.chunk)))].sort((a, b) => a - b);
    this.#checkBudget(ids.map((id) => this.#chunkInfo(id)));
    this.#pin(ids);
    try {
      const chunks = new Map<number, Uint8Array>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < ids.length) {
          const id = ids[next++]!;
          chunks.set(id, await this.#ensure(id, signal));
        }
      };
      const n = Math.max(1, Math.min(this.#opts.concurrency ?? 2, ids.length));
      await Promise.all(Array.from({ length: n }, worker));
      const out = new Map<string, TensorEntry>();
      for (const t of infos) out.set(t.name, assembleTensor(t, chunks));
      return out;
    } finally {
      this.#unpin(ids);
    }
  }

  /** Pins `ids` for one load; `#unpin` must get the same array. */
  #pin(ids: readonly number[]): void {
    for (const id of ids) {
      const r = this.#resident.get(id);
      if (r) r.pins++;
    }
    this.#pending.push(ids);
  }

  #unpin(ids: readonly number[]): void {
    const i = this.#pending.indexOf(ids);
    if (i >= 0) this.#pending.splice(i, 1);
    for (const id of ids) {
      const r = this.#resident.get(id);
      if (r && r.pins > 0) r.pins--;
    }
  }

  #pinsFromPending(id: number): number {
    let n = 0;
    for (const ids of this.#pending) if (ids.includes(id)) n++;
    return n;
  }

  async #ensure(id: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const r = this.#resident.get(id);
    if (r) {
      this.stats.hits++;
      this.#resident.delete(id); // move to most-recently-used
      this.#resident.set(id, r);
      return r.bytes;
    }
    let p = this.#inflight.get(id);
    if (!p) {
      p = this.#fetchVerified(id, signal).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, p);
    }
    const bytes = await p;
    if (!this.#resident.has(id)) this.#admit(id, bytes);
    return bytes;
  }

  #admit(id: number, bytes: Uint8Array): void {
    const budget = this.#opts.budgetBytes ?? Number.POSITIVE_INFINITY;
    for (const [rid, r] of this.#resident) {
      if (this.#residentBytes + bytes.length <= budget) break;
      if (r.pins === 0) this.#evict(rid);
    }
    if (this.#residentBytes + bytes.length > budget) {
      throw new VirtualTensorError('BUDGET_EXCEEDED', 'Concurrent loads need more bytes than the budget.', {
        meta: { residentBytes: this.#residentBytes, chunkBytes: bytes.length, budgetBytes: budget },
      });
    }
    this.#resident.set(id, { bytes, pins: this.#pinsFromPending(id) });
    this.#residentBytes += bytes.length;
  }

  #evict(id: number): void {
    const r = this.#resident.get(id);
    if (!r) return;
    this.#resident.delete(id);
    this.#residentBytes -= r.bytes.length;
    this.stats.evictions++;
  }

  async #fetchVerified(id: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const info = this.#chunkInfo(id);
    let problem = '';
    for (let attempt = 0; attempt <= INTEGRITY_REFETCHES; attempt++) {
      if (attempt > 0) {
        this.stats.refetches++;
        await this.store.invalidate?.(info.file);
      }
      this.stats.misses++;
      const bytes = await this.store.get(info.file, {
        bytes: info.bytes,
        ...(signal ? { signal } : {}),
        ...(this.#opts.onProgress ? { onProgress: this.#opts.onProgress } : {}),
      });
      if (!bytes) {
        throw new VirtualTensorError('CHUNK_NOT_FOUND', `Chunk ${id} (${info.file}) is not in the store.`, {
          meta: { chunk: id, file: info.file },
        });
      }
      if (bytes.length !== info.bytes) {
        problem = `length ${bytes.length}, expected ${info.bytes}`;
        continue;
      }
      const digest = await this.#hash(bytes);
      this.stats.verifiedBytes += bytes.length;
      if (digest !== info.sha256) {
        problem = `sha256 ${digest}, expected ${info.sha256}`;
        continue;
      }
      // typed-array views need aligned offsets; tensors start 64-byte aligned inside a chunk
      return bytes.byteOffset % TENSOR_ALIGN === 0 ? bytes : bytes.slice();
    }
    throw new VirtualTensorError('CHUNK_INTEGRITY', `Chunk ${id} (${info.file}) failed verification.`, {
      details: `${problem} (after ${INTEGRITY_REFETCHES} re-fetch).`,
      meta: { chunk: id, file: info.file },
    });
  }
}

/** Builds a tensor from verified chunk bytes: a view for one segment, a copy for several. */
function assembleTensor(t: ManifestTensor, chunks: ReadonlyMap<number, Uint8Array>): TensorEntry {
  const dtype = t.dtype as DType;
  if (t.segments.length === 1) {
    const s = t.segments[0]!;
    return { dtype, shape: [...t.shape], data: chunks.get(s.chunk)!.subarray(s.offset, s.offset + s.length) };
  }
  const data = new Uint8Array(t.segments.reduce((n, s) => n + s.length, 0));
  let p = 0;
  for (const s of t.segments) {
    data.set(chunks.get(s.chunk)!.subarray(s.offset, s.offset + s.length), p);
    p += s.length;
  }
  return { dtype, shape: [...t.shape], data };
}

/** Opens a packed model; see {@link VirtualModel.open}. */
export function openModel(
  manifest: unknown,
  store: ChunkStore,
  opts: VirtualModelOptions = {},
): VirtualModel {
  return VirtualModel.open(manifest, store, opts);
}
