import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Manifest,
  manifestJsonSchemaText,
  modelConfigFromHf,
  packTensors,
  parseManifest,
  parseSafetensors,
  VirtualTensorError,
  validateManifest,
} from '../src/index';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

async function qwenManifest(): Promise<Manifest> {
  const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
  const config = modelConfigFromHf(JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8')));
  return (await packTensors(file.tensors, { config, chunks: 4 })).manifest;
}

describe('manifest JSON Schema', () => {
  it('spec/schemas/virtual-tensor-manifest.json is up to date (regenerate: npx tsx packages/virtual-tensor/scripts/writeSchema.ts)', () => {
    const stored = readFileSync(
      new URL('../../../spec/schemas/virtual-tensor-manifest.json', import.meta.url),
      'utf8',
    );
    expect(stored).toBe(manifestJsonSchemaText());
  });

  it('accepts a packed manifest, also after a JSON round trip', async () => {
    const m = await qwenManifest();
    expect(parseManifest(JSON.stringify(m))).toEqual(m);
    expect(parseManifest(new TextEncoder().encode(JSON.stringify(m)))).toEqual(m);
  });
});

describe('manifest hostile input → MANIFEST_INVALID', () => {
  const mutations: [string, (m: any) => void][] = [
    ['wrong format tag', (m) => (m.format = 'other')],
    ['future version', (m) => (m.version = 2)],
    ['missing model', (m) => delete m.model],
    ['unknown architecture', (m) => (m.model.architecture = 'bert')],
    ['extra top-level field', (m) => (m.extra = 1)],
    ['bad sha256', (m) => (m.chunks[0].sha256 = 'XYZ')],
    ['chunk file with a slash', (m) => (m.chunks[0].file = '../etc/passwd')],
    ['duplicate chunk file', (m) => (m.chunks[1].file = m.chunks[0].file)],
    ['chunk ids out of order', (m) => ([m.chunks[0].id, m.chunks[1].id] = [1, 0])],
    ['totalBytes mismatch', (m) => (m.totalBytes += 1)],
    ['params mismatch', (m) => (m.params += 1)],
    ['unknown dtype', (m) => (m.tensors[0].dtype = 'f64')],
    ['negative dimension', (m) => (m.tensors[0].shape = [-1, 8])],
    [
      'segment beyond its chunk',
      (m) => (m.tensors[0].segments[0].offset = m.chunks[m.tensors[0].segments[0].chunk].bytes),
    ],
    ['segment in a missing chunk', (m) => (m.tensors[0].segments[0].chunk = 99)],
    ['segments shorter than the shape', (m) => (m.tensors[1].segments[0].length -= 4)],
    ['shape larger than the segments', (m) => (m.tensors[1].shape = [m.tensors[1].shape[0] * 2])],
    [
      'overlapping tensors',
      (m) => {
        const a = m.tensors[1].segments[0];
        const b = m.tensors[2].segments[0];
        b.chunk = a.chunk;
        b.offset = a.offset;
      },
    ],
    ['duplicate tensor name', (m) => (m.tensors[1].name = m.tensors[0].name)],
    ['layer tensor without layer', (m) => delete m.tensors.find((t: any) => t.group === 'layer').layer],
    ['layer beyond numLayers', (m) => (m.tensors.find((t: any) => t.group === 'layer').layer = 7)],
    ['index out of date', (m) => m.index.layers[0].chunks.push(3)],
    ['index missing a layer', (m) => m.index.layers.pop()],
    ['not an object', (m) => Object.setPrototypeOf(m, Array.prototype)],
  ];
  for (const [label, mutate] of mutations) {
    it(label, async () => {
      const m = structuredClone(await qwenManifest()) as any;
      mutate(m);
      let err: unknown;
      try {
        validateManifest(label === 'not an object' ? [] : m);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VirtualTensorError);
      expect((err as VirtualTensorError).code).toBe('MANIFEST_INVALID');
    });
  }

  it('invalid JSON text', () => {
    expect(() => parseManifest('{"format":')).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID' }));
  });
});
