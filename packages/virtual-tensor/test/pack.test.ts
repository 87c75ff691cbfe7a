import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSafetensors, type TensorEntry, validateManifest } from '../src/index';
import { exportSafetensorsFile, openModelDir, packModel, readManifest } from '../src/node';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const work = mkdtempSync(join(tmpdir(), 'vt-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const same = (a: TensorEntry, b: TensorEntry) =>
  a.dtype === b.dtype && a.shape.join() === b.shape.join() && Buffer.from(a.data).equals(Buffer.from(b.data));

describe('packModel on hf-tiny', () => {
  it('packs tiny_qwen2 with its config file and reloads bit-exact tensors', async () => {
    const out = join(work, 'qwen2');
    const hfConfig = JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8'));
    const { manifest } = await packModel({
      input: `${FIX}/tiny_qwen2.safetensors`,
      out,
      hfConfig,
      chunks: 3,
    });
    expect(manifest.chunks).toHaveLength(3);
    expect(manifest.model).toMatchObject({ architecture: 'qwen2', numLayers: 2, numKvHeads: 1, headDim: 4 });
    validateManifest(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')));
    const src = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
    const model = await openModelDir(out);
    const all = await model.loadAll();
    expect(all.size).toBe(27);
    for (const [k, t] of src.tensors) expect(same(all.get(k)!, t), k).toBe(true);
  });

  it('packs tiny_distilgpt2 from shapes + head count and exports it back', async () => {
    const out = join(work, 'gpt2');
    const { manifest } = await packModel({
      input: `${FIX}/tiny_distilgpt2.safetensors`,
      out,
      architecture: 'gpt2',
      configOverrides: { numHeads: 2 },
      chunks: 2,
    });
    expect(manifest.model).toMatchObject({
      architecture: 'gpt2',
      numLayers: 2,
      hiddenSize: 8,
      intermediateSize: 32,
      maxPositions: 16,
      vocabSize: 12,
      tieWordEmbeddings: true,
    });
    expect(manifest.index.head.tensors).toContain('transformer.wte.weight');
    const model = await openModelDir(out);
    await exportSafetensorsFile(model, join(work, 'back.safetensors'));
    const back = parseSafetensors(new Uint8Array(readFileSync(join(work, 'back.safetensors'))));
    const src = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_distilgpt2.safetensors`)));
    expect(back.tensors.size).toBe(src.tensors.size);
    for (const [k, t] of src.tensors) expect(same(back.tensors.get(k)!, t), k).toBe(true);
    expect((await readManifest(out)).chunks).toHaveLength(2);
    expect(readdirSync(work).filter((n) => n.includes('.tmp') || n.includes('.lock'))).toEqual([]);
    expect(existsSync(join(out, 'chunk-00001.bin'))).toBe(true);
  });
});
