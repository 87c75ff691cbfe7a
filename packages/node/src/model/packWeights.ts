import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig, WeightMap } from '@ailo/pipeline';
import { float32ToEntry, packTensors } from '@ailo/virtual-tensor';
import { FsStore, nodeSha256Hex } from '@ailo/virtual-tensor/node';
import { openPackedDir } from '../coordinator/loadServedModel';
import type { ServedModel } from '../coordinator/ServedModel';

/**
 * Packs float32 weights into a servable directory (chunk files +
 * `manifest.json`), written to a temporary directory and renamed into place,
 * so a crash never leaves a half-written version behind.
 */
export async function packWeights(
  dir: string,
  id: string,
  config: ModelConfig,
  weights: WeightMap,
  tokenizerDir?: string,
): Promise<ServedModel> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const entries = [...weights].map(([name, w]) => [name, float32ToEntry(w.data, w.shape)] as const);
  const { manifest } = await packTensors(entries, { config, store: new FsStore(tmp), hash: nodeSha256Hex });
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return openPackedDir(dir, id, tokenizerDir ?? dir);
}
