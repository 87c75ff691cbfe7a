import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, modelConfigFromHf } from '@ailo/virtual-tensor';
import { openModelDir } from '@ailo/virtual-tensor/node';
import { PipelineError } from '../errors';
import { checkRunnable, type LayerSpan, type ModelConfig, parseHfConfig } from '../families/config';
import { weightsFromEntries, weightsFromSafetensors } from '../families/loadWeights';
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
 * Loads an HF-layout model directory synchronously. Packed VirtualTensor
 * directories need {@link loadModel} (their chunks are verified asynchronously).
 */
export function loadModelDir(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new PipelineError('bad_config', `Model directory ${dir} does not exist`);
  if (existsSync(join(dir, MANIFEST_FILE))) {
    throw new PipelineError('bad_config', `${dir} is a packed VirtualTensor model; load it with loadModel()`);
  }
  return loadHfDir(dir);
}

export interface LoadModelOptions {
  /** load only the tensors of these layers (plus embeddings/head at the ends); default: all */
  span?: LayerSpan;
  /** chunk byte budget of the VirtualTensor loader */
  budgetBytes?: number;
}

/**
 * Loads a model directory of either layout: a packed VirtualTensor directory
 * (`manifest.json` + sha256-verified chunks; with `span`, only the chunks of
 * those layers are read) or an HF directory (`config.json` + safetensors).
 */
export async function loadModel(dir: string, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  if (!existsSync(join(dir, MANIFEST_FILE))) return loadModelDir(dir);
  const vm = await openModelDir(dir, opts.budgetBytes ? { budgetBytes: opts.budgetBytes } : {});
  const config = checkRunnable(modelConfigFromHf(vm.manifest.model.hf));
  const span = opts.span ?? { start: 0, end: config.numLayers };
  const entries = await vm.loadLayers(span.start, span.end);
  const model: LoadedModel = { config, weights: weightsFromEntries(entries) };
  const tokenizer = loadTokenizer(dir, config);
  if (tokenizer) model.tokenizer = tokenizer;
  return model;
}
