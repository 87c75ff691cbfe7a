import { createHash, randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteLength, encodeSafetensorsHeader, makeModelConfig, modelTensors } from '@ailo/virtual-tensor';
import { openModelDir, packModel } from '@ailo/virtual-tensor/node';
import type { BenchModule, Figure } from '../types';

const MB = 1e6;

/** A GPT-2-shaped config whose fp32 weights total ≈ `targetMB`: blocks first, the vocabulary fills the rest. */
function configFor(targetMB: number) {
  const d = targetMB >= 100 ? 1024 : 128;
  const positions = 1024;
  const perLayer = (12 * d * d + 13 * d) * 4; // bytes of one GPT-2 block
  const numLayers = Math.max(1, Math.floor((targetMB * MB * 0.9) / perLayer));
  const vocabSize = Math.max(256, Math.round((targetMB * MB - numLayers * perLayer) / (4 * d)) - positions);
  return makeModelConfig({
    architecture: 'gpt2',
    numLayers,
    hiddenSize: d,
    numHeads: d / 64,
    vocabSize,
    maxPositions: positions,
  });
}

/** Writes a safetensors file of random weights without holding the whole model. bytes written */
async function writeCheckpoint(path: string, targetMB: number): Promise<number> {
  const config = configFor(targetMB);
  const specs = modelTensors(config);
  const header = encodeSafetensorsHeader(
    specs.map(
      (t) =>
        [t.name, { dtype: 'f32' as const, shape: t.shape, byteLength: byteLength('f32', t.shape) }] as const,
    ),
  );
  const fh = await open(path, 'w');
  let total = header.length;
  try {
    await fh.write(header);
    for (const t of specs) {
      const buf = randomFillSync(new Uint8Array(byteLength('f32', t.shape)));
      await fh.write(buf);
      total += buf.length;
    }
  } finally {
    await fh.close();
  }
  return total;
}

/** The peer: read each chunk file whole and sha256 it with node:crypto. MB/s */
async function rawReadHash(dir: string, files: string[], bytes: number): Promise<number> {
  const t0 = performance.now();
  for (const f of files) {
    const b = await readFile(join(dir, f));
    createHash('sha256').update(b).digest('hex');
  }
  return bytes / MB / ((performance.now() - t0) / 1000);
}

/** Ours: open the packed directory and load + verify every layer (FsStore, node:crypto). MB/s */
async function loadVerify(dir: string, bytes: number): Promise<number> {
  const t0 = performance.now();
  const model = await openModelDir(dir);
  const tensors = await model.loadLayers(0, model.config.numLayers);
  if (tensors.size !== model.manifest.tensors.length) throw new Error('incomplete load');
  return bytes / MB / ((performance.now() - t0) / 1000);
}

const bench: BenchModule = {
  name: 'virtual-tensor',
  description:
    'chunk load + sha256 verify from the filesystem store vs raw readFile + sha256; pack throughput',
  async run(ctx) {
    const targetMB = ctx.smoke ? 4 : 512;
    const reps = ctx.smoke ? 1 : 5;
    const work = mkdtempSync(join(tmpdir(), 'ailo-bench-vt-'));
    try {
      const src = join(work, 'model.safetensors');
      const srcBytes = await writeCheckpoint(src, targetMB);
      ctx.log(`virtual-tensor: ${(srcBytes / MB).toFixed(0)} MB checkpoint in ${work}`);
      const out = join(work, 'packed');
      const chunkOpts = { config: configFor(targetMB), ...(ctx.smoke ? { chunks: 4 } : {}) };

      // pack: ours (header parse, layout, read, sha256, write chunks, manifest, atomic rename)
      // vs peer (readFile + sha256 + writeFile of the same bytes)
      const pack: number[] = [];
      const copy: number[] = [];
      let packed = await packModel({ input: src, out, ...chunkOpts }); // warm-up
      for (let i = 0; i < reps; i++) {
        await rm(out, { recursive: true, force: true });
        let t0 = performance.now();
        packed = await packModel({ input: src, out, ...chunkOpts });
        pack.push(srcBytes / MB / ((performance.now() - t0) / 1000));
        const dst = join(work, 'copy.bin');
        t0 = performance.now();
        const b = await readFile(src);
        createHash('sha256').update(b).digest('hex');
        await writeFile(dst, b);
        copy.push(srcBytes / MB / ((performance.now() - t0) / 1000));
        await rm(dst, { force: true });
      }

      const files = packed.manifest.chunks.map((c) => c.file);
      const total = packed.manifest.totalBytes;
      await rawReadHash(out, files, total); // warm the page cache for both
      const ours: number[] = [];
      const peer: number[] = [];
      for (let i = 0; i < reps; i++) {
        ours.push(await loadVerify(out, total));
        peer.push(await rawReadHash(out, files, total));
      }
      ctx.log(
        `virtual-tensor: ${packed.manifest.chunks.length} chunks; load+verify ${ours.map((x) => x.toFixed(0)).join(', ')} MB/s; ` +
          `raw ${peer.map((x) => x.toFixed(0)).join(', ')} MB/s`,
      );
      const figures: Figure[] = [
        {
          name: `load + sha256 verify, ${(total / MB).toFixed(0)} MB fp32 model from FsStore`,
          unit: 'MB/s',
          higherIsBetter: true,
          samples: ours,
          peer: { name: 'fs.readFile + node:crypto sha256 of the same chunk files', samples: peer },
          goal: '>= 0.9x peer',
          goalRatio: 0.9,
        },
        {
          name: `pack ${(srcBytes / MB).toFixed(0)} MB safetensors → chunks + manifest`,
          unit: 'MB/s',
          higherIsBetter: true,
          samples: pack,
          peer: { name: 'fs.readFile + sha256 + fs.writeFile of the same file', samples: copy },
          goal: '>= 0.7x peer',
          goalRatio: 0.7,
        },
      ];
      return figures;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

export default bench;
