import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  chunksForLayers,
  type LayoutInput,
  makeModelConfig,
  planLayout,
  planModel,
  presetConfig,
  tensorsForLayers,
  VirtualTensorError,
} from '../src/index';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VirtualTensorError);
    return (e as VirtualTensorError).code;
  }
  return undefined;
};

describe('planModel presets', () => {
  it('ailo-840m with defaults: 35 chunks of ≈ 94 MB, 821,470,400 params, 3.29 GB', () => {
    const p = planModel(presetConfig('ailo-840m')!);
    expect(p.chunks).toHaveLength(35);
    expect(p.params).toBe(821_470_400);
    expect(p.totalBytes).toBeGreaterThanOrEqual(p.params * 4);
    expect(p.totalBytes).toBeLessThan(p.params * 4 + 300 * 64);
    const mean = p.totalBytes / 35;
    for (const c of p.chunks) expect(Math.abs(c.bytes - mean) / mean).toBeLessThanOrEqual(0.1);
    expect(p.chunks[0]!.layers).toEqual([-1, -1]);
    expect(p.chunks[34]!.layers[1]).toBe(24);
  });

  it('ailo-840m in f16 halves the bytes', () => {
    const p = planModel(presetConfig('ailo-840m')!, { dtype: 'f16' });
    expect(p.totalBytes).toBeLessThan(planModel(presetConfig('ailo-840m')!).totalBytes / 2 + 300 * 64);
    expect(p.chunks).toHaveLength(Math.ceil(p.totalBytes / 96e6));
  });

  it('gpt2 and distilgpt2 match the known parameter counts', () => {
    expect(planModel(presetConfig('gpt2')!).params).toBe(124_439_808);
    expect(planModel(presetConfig('distilgpt2')!).params).toBe(81_912_576);
  });
});

const configArb = fc
  .record({
    arch: fc.constantFrom('gpt2', 'llama', 'qwen2' as const),
    layers: fc.integer({ min: 1, max: 12 }),
    heads: fc.integer({ min: 1, max: 8 }),
    headDim: fc.constantFrom(8, 16, 32, 64),
    vocab: fc.integer({ min: 10, max: 5000 }),
    ffnMul: fc.integer({ min: 1, max: 4 }),
    tie: fc.boolean(),
  })
  .map((r) =>
    makeModelConfig({
      architecture: r.arch,
      numLayers: r.layers,
      numHeads: r.heads,
      hiddenSize: r.heads * r.headDim,
      vocabSize: r.vocab,
      intermediateSize: r.ffnMul * r.heads * r.headDim,
      maxPositions: 64,
      tieWordEmbeddings: r.tie,
    }),
  );

describe('planLayout invariants (property)', () => {
  it('near-equal sizes (±10%) whenever chunks average ≥ 2 KB, and a consistent placement', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 1, max: 40 }), (config, n) => {
        const total = planModel(config, { chunks: 1 }).totalBytes;
        fc.pre(total / n >= 2048);
        const p = planModel(config, { chunks: n });
        expect(p.chunks).toHaveLength(n);
        const mean = p.totalBytes / n;
        for (const c of p.chunks) expect(Math.abs(c.bytes - mean) / mean).toBeLessThanOrEqual(0.1);
        // segments tile each tensor, start 64-aligned, and never overlap
        const used: [number, number, number][] = [];
        for (const t of p.layout.tensors) {
          expect(t.segments.reduce((s, g) => s + g.length, 0)).toBe(t.byteLength);
          expect(t.segments[0]!.offset % 64).toBe(0);
          for (const g of t.segments.slice(1)) expect(g.offset).toBe(0);
          for (const g of t.segments) {
            expect(g.offset + g.length).toBeLessThanOrEqual(p.chunks[g.chunk]!.bytes);
            used.push([g.chunk, g.offset, g.offset + g.length]);
          }
        }
        used.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        for (let i = 1; i < used.length; i++) {
          if (used[i]![0] === used[i - 1]![0]) expect(used[i]![1]).toBeGreaterThanOrEqual(used[i - 1]![2]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a holder of layers [a, b) needs exactly the chunks holding its tensors', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 1, max: 30 }), fc.nat(), fc.nat(), (config, n, x, y) => {
        const total = planModel(config, { chunks: 1 }).totalBytes;
        fc.pre(total / n >= 128);
        const p = planModel(config, { chunks: n });
        const manifest = buildManifest({
          model: config,
          layout: p.layout,
          sha256: p.chunks.map(() => '0'.repeat(64)),
        });
        const L = config.numLayers;
        const a = x % (L + 1);
        const b = a + (y % (L - a + 1));
        const names = new Set(tensorsForLayers(manifest, a, b));
        const needed = new Set<number>();
        for (const t of manifest.tensors)
          if (names.has(t.name)) for (const s of t.segments) needed.add(s.chunk);
        expect(chunksForLayers(manifest, a, b)).toEqual([...needed].sort((u, v) => u - v));
        // embeddings only for the first stage, head only for the last
        const { embeddings, head } = manifest.index;
        if (a === 0) expect(embeddings.tensors.every((t) => names.has(t))).toBe(true);
        const embedOnly = embeddings.tensors.filter((t) => !head.tensors.includes(t));
        if (embedOnly.length > 0) expect(embedOnly.every((t) => names.has(t))).toBe(a === 0);
        const headOnly = head.tensors.filter((t) => !embeddings.tensors.includes(t));
        expect(headOnly.every((t) => names.has(t))).toBe(b === L);
      }),
      { numRuns: 150 },
    );
  });
});

describe('planLayout details', () => {
  const t = (name: string, n: number, group: LayoutInput['group'], layer?: number): LayoutInput => ({
    name,
    dtype: 'f32',
    shape: [n],
    group,
    ...(layer !== undefined ? { layer } : {}),
  });

  it('prefers a block boundary near the ideal cut', () => {
    // two blocks of 1000 floats; the ideal cut for 2 chunks is the block boundary
    const p = planLayout([t('h.0.w', 1000, 'layer', 0), t('h.1.w', 1000, 'layer', 1)], 2, { chunks: 2 });
    expect(p.tensors.map((x) => x.segments.length)).toEqual([1, 1]);
    expect(p.chunks.map((c) => c.layers)).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('splits a tensor larger than a chunk across chunks', () => {
    const p = planLayout([t('wte', 100_000, 'embed')], 1, { chunks: 4 });
    expect(p.tensors[0]!.segments.map((s) => s.chunk)).toEqual([0, 1, 2, 3]);
    expect(p.chunks.map((c) => c.bytes)).toEqual([100_032, 99_968, 100_032, 99_968]);
  });

  it('uses chunkBytes as a target size', () => {
    const p = planLayout([t('wte', 100_000, 'embed')], 1, { chunkBytes: 150_000 });
    expect(p.chunks).toHaveLength(3);
  });

  it('rejects contradictory or impossible options', () => {
    const xs = [t('w', 100, 'embed')];
    expect(codeOf(() => planLayout(xs, 1, { chunks: 2, chunkBytes: 10 }))).toBe('PLAN_INVALID');
    expect(codeOf(() => planLayout(xs, 1, { chunks: 0 }))).toBe('PLAN_INVALID');
    expect(codeOf(() => planLayout(xs, 1, { chunks: 1.5 }))).toBe('PLAN_INVALID');
    expect(codeOf(() => planLayout(xs, 1, { chunks: 100 }))).toBe('PLAN_INVALID');
    expect(codeOf(() => planLayout(xs, 1, { chunkBytes: 10 }))).toBe('PLAN_INVALID');
    expect(codeOf(() => planLayout([], 1))).toBe('PLAN_INVALID');
  });
});
