import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURE_DIR = join(import.meta.dirname, '../../../../shared/fixtures/hf-tiny');

/** The tiny distilgpt2 fixture has no config.json; its README gives the hyper-parameters. */
export const TINY_GPT2_CONFIG = {
  model_type: 'gpt2',
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 16,
  vocab_size: 12,
  n_inner: 32,
  layer_norm_epsilon: 1e-5,
};

/** A fresh temporary directory. */
export function tempDir(prefix = 'ailo-node-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes the fixture as an HF directory (`config.json` + `model.safetensors`) and returns its path. */
export function fixtureModelDir(name: 'gpt2' | 'qwen2', parent = tempDir()): string {
  const dir = join(parent, name === 'gpt2' ? 'tiny-gpt2' : 'tiny-qwen2');
  mkdirSync(dir, { recursive: true });
  const cfg =
    name === 'gpt2'
      ? TINY_GPT2_CONFIG
      : JSON.parse(readFileSync(join(FIXTURE_DIR, 'tiny_qwen2_config.json'), 'utf8'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  copyFileSync(
    join(FIXTURE_DIR, name === 'gpt2' ? 'tiny_distilgpt2.safetensors' : 'tiny_qwen2.safetensors'),
    join(dir, 'model.safetensors'),
  );
  return dir;
}
