import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../families/config';
import type { WeightMap } from '../families/weights';
import { emitOnnx } from '../onnx/emit';
import { buildStageGraph } from '../stage/buildStageGraph';

export interface ExportTransformersJsOptions {
  /** a source directory whose tokenizer files are copied along, if present */
  tokenizerDir?: string;
}

const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
];
/** ONNX protobufs cannot exceed 2 GiB; larger models need external data, not supported by this export yet. */
const MAX_INLINE_BYTES = 2 ** 31 - 2 ** 24;

/**
 * Writes a model in the layout Transformers.js loads from a local path:
 * `config.json`, `generation_config.json`, tokenizer files when known, and
 * `onnx/model.onnx` — a merged decoder with past key/values in Optimum's
 * input/output naming, weights inline. Written to a temp dir, then renamed.
 */
export function exportTransformersJs(
  config: ModelConfig,
  weights: WeightMap,
  outDir: string,
  opts: ExportTransformersJsOptions = {},
): void {
  const graph = buildStageGraph(
    config,
    weights,
    { start: 0, end: config.numLayers },
    { naming: 'optimum' },
  ).graph;
  const { model } = emitOnnx(graph, { name: 'ailo-decoder', inlineWeights: true });
  if (model.byteLength > MAX_INLINE_BYTES)
    throw new Error('Model too large for a single-file ONNX export (> 2 GiB)');
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'onnx'), { recursive: true });
  writeFileSync(join(tmp, 'config.json'), `${JSON.stringify({ ...config.hf, use_cache: true }, null, 2)}\n`);
  const gen: Record<string, unknown> = { _from_model_config: true };
  for (const k of ['bos_token_id', 'eos_token_id', 'pad_token_id'])
    if (config.hf[k] !== undefined) gen[k] = config.hf[k];
  writeFileSync(join(tmp, 'generation_config.json'), `${JSON.stringify(gen, null, 2)}\n`);
  writeFileSync(join(tmp, 'onnx', 'model.onnx'), model);
  if (opts.tokenizerDir) {
    for (const f of TOKENIZER_FILES)
      if (existsSync(join(opts.tokenizerDir, f))) copyFileSync(join(opts.tokenizerDir, f), join(tmp, f));
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
}
