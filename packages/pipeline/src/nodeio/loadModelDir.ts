import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PipelineError } from '../errors';
import { type ModelConfig, parseHfConfig } from '../families/config';
import { weightsFromSafetensors } from '../families/loadWeights';
import type { Weight } from '../families/weights';
import { gpt2Tokenizer, type TextTokenizer, tokenizerFromJson } from '../generate/tokenizer';

/** A model ready to compile: config, float32 weights by HF name, and its tokenizer when known. */
export interface LoadedModel {
  config: ModelConfig;
  weights: Map<string, Weight>;
  tokenizer?: TextTokenizer;
}

const GPT2_VOCAB = 50257;

/**
 * Loads an HF-layout directory: `config.json`, `model.safetensors` or a
 * sharded `model.safetensors.index.json`, and `tokenizer.json` when present
 * (GPT-2-vocabulary models without one use the built-in GPT-2 BPE).
 */
export function loadHfDir(dir: string): LoadedModel {
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new PipelineError('bad_config', `No config.json in ${dir}`);
  const config = parseHfConfig(JSON.parse(readFileSync(cfgPath, 'utf8')));
  const indexPath = join(dir, 'model.safetensors.index.json');
  let files: string[];
  if (existsSync(indexPath)) {
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
    files = [...new Set(Object.values(index.weight_map ?? {}))];
  } else if (existsSync(join(dir, 'model.safetensors'))) {
    files = ['model.safetensors'];
  } else {
    throw new PipelineError('bad_weights', `No model.safetensors or model.safetensors.index.json in ${dir}`);
  }
  const weights = weightsFromSafetensors(files.map((f) => new Uint8Array(readFileSync(join(dir, f)))));
  const model: LoadedModel = { config, weights };
  const tokenizer = loadTokenizer(dir, config);
  if (tokenizer) model.tokenizer = tokenizer;
  return model;
}

/** `tokenizer.json` (+ `tokenizer_config.json`) if present, else GPT-2 BPE for GPT-2-vocabulary models. */
export function loadTokenizer(dir: string, config: ModelConfig): TextTokenizer | undefined {
  const tj = join(dir, 'tokenizer.json');
  if (existsSync(tj)) {
    const tc = join(dir, 'tokenizer_config.json');
    const tcfg = existsSync(tc) ? JSON.parse(readFileSync(tc, 'utf8')) : {};
    return tokenizerFromJson(JSON.parse(readFileSync(tj, 'utf8')), tcfg);
  }
  if (config.vocabSize === GPT2_VOCAB) return gpt2Tokenizer();
  return undefined;
}

/**
 * Loads a model directory: an HF layout (`config.json` + safetensors) today;
 * packed VirtualTensor directories (`manifest.json`) are read through
 * `@ailo/virtual-tensor`.
 */
export function loadModelDir(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new PipelineError('bad_config', `Model directory ${dir} does not exist`);
  return loadHfDir(dir);
}
