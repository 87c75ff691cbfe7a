import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the tiny HF fixtures live in a checkout: `<repo>/../shared/fixtures/hf-tiny`. */
export const DEFAULT_FIXTURES_DIR = resolve(import.meta.dirname, '../../../../shared/fixtures/hf-tiny');

/**
 * Lays the tiny Qwen2 fixture (vocab 12, 2 layers, 16 positions, random weights) out as a
 * Hugging Face model directory — `config.json` + `model.safetensors` — in a fresh temp dir,
 * which is what `loadModel` reads. Returns that directory.
 */
export function qwen2HfDir(fixturesDir: string = DEFAULT_FIXTURES_DIR): string {
  const config = join(fixturesDir, 'tiny_qwen2_config.json');
  const weights = join(fixturesDir, 'tiny_qwen2.safetensors');
  for (const f of [config, weights]) {
    if (!existsSync(f))
      throw new Error(`Missing fixture ${f}; pass the hf-tiny directory as the first argument`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ailo-solo-qwen2-'));
  copyFileSync(config, join(dir, 'config.json'));
  copyFileSync(weights, join(dir, 'model.safetensors'));
  return dir;
}
