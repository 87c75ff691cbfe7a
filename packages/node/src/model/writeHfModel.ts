import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig, WeightMap } from '@ailo/pipeline';
import { encodeSafetensors, float32ToEntry, toHfConfig } from '@ailo/virtual-tensor';

/** Writes an HF-layout model directory: `config.json` and `model.safetensors` (f32), each replaced atomically. */
export function writeHfModel(dir: string, config: ModelConfig, weights: WeightMap): void {
  mkdirSync(dir, { recursive: true });
  const entries = [...weights].map(([name, w]) => [name, float32ToEntry(w.data, w.shape)] as const);
  const st = join(dir, 'model.safetensors');
  writeFileSync(`${st}.tmp`, encodeSafetensors(entries));
  renameSync(`${st}.tmp`, st);
  const cfg = join(dir, 'config.json');
  writeFileSync(`${cfg}.tmp`, `${JSON.stringify({ ...config.hf, ...toHfConfig(config) }, null, 2)}\n`);
  renameSync(`${cfg}.tmp`, cfg);
}
