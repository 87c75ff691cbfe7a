import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { INT8_BLOCK_SIZE, type Partition, PipelineError, partitionLayers } from '@ailo/pipeline';
import {
  type Architecture,
  chunksForLayers,
  type FloatDType,
  type Manifest,
  type ModelConfig,
  modelConfigFromHf,
  PRESET_NAMES,
  parameterCount,
  planModel,
  presetConfig,
  VirtualTensorError,
} from '@ailo/virtual-tensor';
import { openModelDir, packModel, pullModel, readManifest } from '@ailo/virtual-tensor/node';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseNodeList } from '../cli/parseNodeList';
import { fmtBytes, progressBar } from '../cli/progressBar';

const MB = 1_000_000; // --chunk-mb unit. bytes

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function fmtLayers([a, b]: readonly [number, number], numLayers: number): string {
  const name = (x: number) => (x < 0 ? 'embed' : x >= numLayers ? 'head' : String(x));
  return a === b ? name(a) : `${name(a)}–${name(b)}`;
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new VirtualTensorError('IO_ERROR', `Cannot read ${path}.`, { cause });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new VirtualTensorError('CONFIG_INVALID', `${path} is not valid JSON.`, { cause });
  }
}

function chunkSizing(o: { chunks?: number; chunkMb?: number }): { chunks?: number; chunkBytes?: number } {
  if (o.chunks !== undefined && o.chunkMb !== undefined) {
    throw new VirtualTensorError('PLAN_INVALID', 'Give either --chunks or --chunk-mb, not both.');
  }
  if (o.chunks !== undefined) return { chunks: o.chunks };
  if (o.chunkMb !== undefined) return { chunkBytes: Math.round(o.chunkMb * MB) };
  return {};
}

function presetOrThrow(name: string): ModelConfig {
  const c = presetConfig(name);
  if (!c) {
    throw new VirtualTensorError('CONFIG_INVALID', `Unknown preset "${name}".`, {
      details: `Presets: ${PRESET_NAMES.join(', ')}.`,
    });
  }
  return c;
}

function inspectSummary(m: Manifest) {
  const L = m.model.numLayers;
  return {
    architecture: m.model.architecture,
    params: m.params,
    dtype: m.dtype,
    totalBytes: m.totalBytes,
    model: m.model,
    chunks: m.chunks.map((c) => ({
      id: c.id,
      file: c.file,
      bytes: c.bytes,
      sha256: c.sha256,
      layers: c.layers,
    })),
    layers: m.index.layers.map((s, i) => ({
      layer: i,
      chunks: s.chunks,
      stageChunks: chunksForLayers(m, i, i + 1),
    })),
    embeddings: { chunks: m.index.embeddings.chunks },
    head: { chunks: m.index.head.chunks },
    numLayers: L,
  };
}

/** Registers `ailo model pack|inspect|plan|pull` (@ailo/virtual-tensor; `plan --nodes` uses @ailo/pipeline). */
export function registerModelStoreCommands(model: Command): void {
  model
    .command('pack')
    .description('pack a Hugging Face safetensors checkpoint into verified chunks and a manifest')
    .argument('<input>', 'HF model directory, .safetensors file, or model.safetensors.index.json')
    .requiredOption('--out <dir>', 'output directory (replaced atomically)')
    .option('--chunks <n>', 'number of near-equal chunks', positiveInt)
    .option('--chunk-mb <mb>', 'target chunk size in MB (10^6 bytes)', positiveNumber)
    .addOption(new Option('--dtype <dtype>', 'convert float weights').choices(['f32', 'f16', 'bf16']))
    .option('--config <file>', 'HF config.json to use (default: config.json beside the weights)')
    .addOption(new Option('--preset <name>', 'use a built-in config').choices(PRESET_NAMES))
    .addOption(
      new Option('--arch <arch>', 'family, when there is no config file').choices(['gpt2', 'llama', 'qwen2']),
    )
    .option('--n-head <n>', 'attention heads (cannot be derived from shapes)', positiveInt)
    .option('--n-kv-head <n>', 'key/value heads (Llama/Qwen2)', positiveInt)
    .option('--n-positions <n>', 'context length (Llama/Qwen2; GPT-2 reads it from wpe)', positiveInt)
    .option('--eps <x>', 'norm epsilon', positiveNumber)
    .option('--keep-buffers', 'keep causal-mask / rotary buffers (dropped by default)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (input: string, o: Record<string, unknown>) => {
      const sizing = chunkSizing(o as { chunks?: number; chunkMb?: number });
      const overrides = {
        ...(o['nHead'] !== undefined ? { numHeads: o['nHead'] as number } : {}),
        ...(o['nKvHead'] !== undefined ? { numKvHeads: o['nKvHead'] as number } : {}),
        ...(o['nPositions'] !== undefined ? { maxPositions: o['nPositions'] as number } : {}),
        ...(o['eps'] !== undefined ? { normEps: o['eps'] as number } : {}),
      };
      const bar = progressBar(o['progress'] !== false);
      let result: Awaited<ReturnType<typeof packModel>>;
      try {
        result = await packModel({
          input,
          out: o['out'] as string,
          ...sizing,
          ...(o['dtype'] ? { dtype: o['dtype'] as FloatDType } : {}),
          ...(o['preset'] ? { config: presetOrThrow(o['preset'] as string) } : {}),
          ...(o['config'] ? { hfConfig: await readJsonFile(o['config'] as string) } : {}),
          ...(o['arch'] ? { architecture: o['arch'] as Architecture } : {}),
          configOverrides: overrides,
          ...(o['keepBuffers'] ? { keepBuffers: true } : {}),
          onProgress: (p) => bar.update(p.bytes, p.total, `chunk ${p.chunks}/${p.totalChunks}`),
        });
      } finally {
        bar.done();
      }
      const m = result.manifest;
      if (o['json']) {
        process.stdout.write(`${JSON.stringify(inspectSummary(m), null, 2)}\n`);
      } else {
        process.stdout.write(
          `packed ${m.model.architecture} ${m.params} params (${m.dtype}) into ${m.chunks.length} chunks, ` +
            `${fmtBytes(m.totalBytes)} → ${result.dir}\n`,
        );
        if (result.dropped.length > 0)
          process.stdout.write(`dropped buffers: ${result.dropped.join(', ')}\n`);
      }
    });

  model
    .command('inspect')
    .description('show a packed model: architecture, parameters, bytes, chunks, layer → chunk map')
    .argument('<dir>', 'packed model directory')
    .option('--json', 'print JSON')
    .option('--verify', 'read every chunk and check its sha256')
    .action(async (dir: string, o: { json?: boolean; verify?: boolean }) => {
      const m = await readManifest(dir);
      let verified: boolean | undefined;
      if (o.verify) {
        const vm = await openModelDir(dir);
        for (const c of m.chunks) {
          await vm.chunk(c.id);
          vm.evictAll(); // one chunk in memory at a time
        }
        verified = true;
      }
      const s = inspectSummary(m);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(verified ? { ...s, verified } : s, null, 2)}\n`);
        return;
      }
      const L = m.model.numLayers;
      const lines = [
        `architecture  ${m.model.architecture}`,
        `layers        ${L}  (d_model ${m.model.hiddenSize}, heads ${m.model.numHeads}/${m.model.numKvHeads}, ffn ${m.model.intermediateSize}, vocab ${m.model.vocabSize}, context ${m.model.maxPositions})`,
        `parameters    ${m.params}`,
        `dtype         ${m.dtype}`,
        `bytes         ${m.totalBytes} (${fmtBytes(m.totalBytes)})`,
        `chunks        ${m.chunks.length}`,
        ...(verified ? ['verified      all chunks match their sha256'] : []),
        '',
        'chunk  bytes        layers      sha256',
        ...m.chunks.map(
          (c) =>
            `${String(c.id).padStart(5)}  ${String(c.bytes).padStart(11)}  ${fmtLayers(c.layers, L).padEnd(10)}  ${c.sha256.slice(0, 16)}…`,
        ),
        '',
        'layer → chunks',
        `  embed  ${m.index.embeddings.chunks.join(', ')}`,
        ...m.index.layers.map((s, i) => `  ${String(i).padStart(5)}  ${s.chunks.join(', ')}`),
        `  head   ${m.index.head.chunks.join(', ')}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  model
    .command('plan')
    .description(
      'plan a model from its config alone (no weights): its chunks, or with --nodes its layer spans across nodes',
    )
    .addOption(new Option('--preset <name>', 'built-in config').choices(PRESET_NAMES))
    .option('--config <file>', 'HF config.json')
    .option('--chunks <n>', 'number of near-equal chunks', positiveInt)
    .option('--chunk-mb <mb>', 'target chunk size in MB (10^6 bytes)', positiveNumber)
    .addOption(
      new Option('--dtype <dtype>', 'weight dtype (int8: --nodes only)')
        .choices(['f32', 'f16', 'bf16', 'int8'])
        .default('f32'),
    )
    .option(
      '--nodes <list>',
      'plan layer spans: [count x]size[@speed],… (120x4GB, 4x8GB,2x16GB@2) or a JSON file of {id, memoryBytes, relativeSpeed}',
      parseNodeList,
    )
    .option(
      '--context <n>',
      'tokens of context per sequence (--nodes; default: the model maximum)',
      positiveInt,
    )
    .option('--batch <n>', 'sequences decoded at once (--nodes; default 1)', positiveInt)
    .option('--redundancy <r>', 'nodes holding each span, for failover (--nodes; default 1)', positiveInt)
    .option('--json', 'print JSON')
    .action(async (o: PlanCliOptions) => {
      if ((o.preset === undefined) === (o.config === undefined)) {
        throw new VirtualTensorError('CONFIG_INVALID', 'Give exactly one of --preset or --config.');
      }
      const config = o.preset ? presetOrThrow(o.preset) : modelConfigFromHf(await readJsonFile(o.config!));
      if (o.nodes) {
        if (o.chunks !== undefined || o.chunkMb !== undefined) {
          throw new VirtualTensorError(
            'PLAN_INVALID',
            '--chunks/--chunk-mb plan chunks and --nodes plans layer spans: give one or the other.',
          );
        }
        planSpans(config, o.nodes, o);
        return;
      }
      for (const flag of ['context', 'batch', 'redundancy'] as const) {
        if (o[flag] !== undefined) {
          throw new VirtualTensorError('PLAN_INVALID', `--${flag} applies to layer planning: add --nodes.`);
        }
      }
      if (o.dtype === 'int8') {
        throw new VirtualTensorError(
          'PLAN_INVALID',
          'int8 applies to layer planning (--nodes); chunks store f32, f16 or bf16.',
        );
      }
      const plan = planModel(config, { ...chunkSizing(o), dtype: o.dtype });
      const out = {
        chunks: plan.chunks.map((c) => ({ id: c.id, bytes: c.bytes, layers: c.layers })),
        totalBytes: plan.totalBytes,
        params: plan.params,
      };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const L = config.numLayers;
      process.stdout.write(
        [
          `${config.architecture}: ${plan.params} params, ${fmtBytes(plan.totalBytes)} (${o.dtype}), ${plan.chunks.length} chunks`,
          ...plan.chunks.map(
            (c) =>
              `${String(c.id).padStart(5)}  ${fmtBytes(c.bytes).padStart(9)}  layers ${fmtLayers(c.layers, L)}`,
          ),
        ].join('\n') + '\n',
      );
    });

  model
    .command('pull')
    .description('download a model from a Hugging Face–compatible hub (safetensors) and pack it into chunks')
    .argument('<repo>', 'repository id on the hub, org/name')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--endpoint <url>', 'hub endpoint (default: $HF_ENDPOINT, else https://huggingface.co)')
    .option('--out <dir>', 'packed output directory (default: ./<name>)')
    .option('--chunks <n>', 'number of near-equal chunks', positiveInt)
    .option('--chunk-mb <mb>', 'target chunk size in MB (10^6 bytes)', positiveNumber)
    .addOption(new Option('--dtype <dtype>', 'convert float weights').choices(['f32', 'f16', 'bf16']))
    .option('--keep-download', 'keep the raw hub files in <out>/.hf instead of deleting them')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print a JSON summary')
    .action(async (repo: string, o: Record<string, unknown>) => {
      const sizing = chunkSizing(o as { chunks?: number; chunkMb?: number });
      const bar = progressBar(o['progress'] !== false);
      let result: Awaited<ReturnType<typeof pullModel>>;
      try {
        result = await pullModel({
          repo,
          out: (o['out'] as string | undefined) ?? basename(repo),
          revision: o['revision'] as string,
          ...(o['endpoint'] ? { endpoint: o['endpoint'] as string } : {}),
          ...sizing,
          ...(o['dtype'] ? { dtype: o['dtype'] as FloatDType } : {}),
          ...(o['keepDownload'] ? { keepDownload: true } : {}),
          onProgress: (p) =>
            bar.update(p.bytes, p.total, p.phase === 'download' ? `download ${p.file ?? ''}` : 'pack'),
        });
      } finally {
        bar.done();
      }
      const m = result.manifest;
      const summary = {
        repo: result.ref.repo,
        revision: result.ref.revision,
        endpoint: result.ref.endpoint,
        dir: result.dir,
        files: result.files.map((f) => ({
          file: f.file,
          bytes: f.bytes,
          sha256: f.sha256,
          reused: f.reused,
        })),
        fetchedBytes: result.fetchedBytes,
        ...(result.keptDir ? { keptDir: result.keptDir } : {}),
        architecture: m.model.architecture,
        params: m.params,
        dtype: m.dtype,
        chunks: m.chunks.length,
        totalBytes: m.totalBytes,
      };
      if (o['json']) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `pulled ${summary.repo}@${summary.revision}: ${result.files.length} files, ${fmtBytes(result.fetchedBytes)} fetched\n` +
          `packed ${m.model.architecture} ${m.params} params (${m.dtype}) into ${m.chunks.length} chunks, ` +
          `${fmtBytes(m.totalBytes)} → ${result.dir}\n`,
      );
    });
}

interface PlanCliOptions {
  preset?: string;
  config?: string;
  chunks?: number;
  chunkMb?: number;
  dtype: FloatDType | 'int8';
  nodes?: ReturnType<typeof parseNodeList>;
  context?: number;
  batch?: number;
  redundancy?: number;
  json?: boolean;
}

/**
 * Bytes per weight element the partition planner assumes: f32 4, f16/bf16 2,
 * int8 1 + 4/32 (MatMulNBits blocks of {@link INT8_BLOCK_SIZE} int8 values
 * share one f32 scale).
 */
export function weightBytesPerParam(dtype: FloatDType | 'int8'): number {
  if (dtype === 'int8') return 1 + 4 / INT8_BLOCK_SIZE;
  return dtype === 'f32' ? 4 : 2;
}

/** `ailo model plan --nodes …`: contiguous layer spans per node (exact DP), as JSON or a table. */
function planSpans(config: ModelConfig, nodes: ReturnType<typeof parseNodeList>, o: PlanCliOptions): void {
  const wb = weightBytesPerParam(o.dtype);
  const contextLength = o.context ?? config.maxPositions;
  const batch = o.batch ?? 1;
  const redundancy = o.redundancy ?? 1;
  let plan: Partition;
  try {
    plan = partitionLayers(config, nodes, { weightBytes: wb, contextLength, batch, redundancy });
  } catch (err) {
    // the short message goes out with the error; its explanation is printed here
    if (err instanceof PipelineError && err.details) process.stderr.write(`${err.details}\n`);
    throw err;
  }
  const memory = new Map(nodes.map((n) => [n.id, n.memoryBytes]));
  const stages = plan.stages.map((s, i) => ({
    stage: i,
    span: [s.span.start, s.span.end] as [number, number],
    nodeIds: s.nodeIds,
    weightBytes: s.weightBytes,
    kvCacheBytes: s.kvCacheBytes,
    activationBytes: s.activationBytes,
    totalBytes: s.totalBytes,
    nodeMemoryBytes: Math.min(...s.nodeIds.map((id) => memory.get(id)!)),
    cost: s.cost,
  }));
  const b = stages[plan.bottleneck]!;
  const out = {
    model: {
      architecture: config.architecture,
      params: parameterCount(config),
      numLayers: config.numLayers,
    },
    dtype: o.dtype,
    weightBytesPerParam: wb,
    contextLength,
    batch,
    redundancy,
    nodes: nodes.length,
    stages,
    bottleneck: {
      stage: b.stage,
      span: b.span,
      nodeIds: b.nodeIds,
      weightBytes: b.weightBytes,
      cost: b.cost,
    },
    unusedNodeIds: plan.unusedNodeIds,
    totalBytes: stages.reduce((n, s) => n + s.totalBytes * s.nodeIds.length, 0),
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const ids = (a: string[]) => (a.length > 2 ? `${a[0]} +${a.length - 1}` : a.join(','));
  const span = ([a, e]: [number, number]) => (e - a === 1 ? String(a) : `${a}–${e - 1}`);
  const rows = stages.map((s) =>
    [
      String(s.stage).padStart(5),
      span(s.span).padEnd(8),
      ids(s.nodeIds).padEnd(14),
      fmtBytes(s.weightBytes).padStart(9),
      fmtBytes(s.kvCacheBytes).padStart(9),
      fmtBytes(s.activationBytes).padStart(9),
      fmtBytes(s.totalBytes).padStart(9),
      fmtBytes(s.nodeMemoryBytes).padStart(9),
      s.stage === b.stage ? '  ← bottleneck' : '',
    ]
      .join('  ')
      .trimEnd(),
  );
  process.stdout.write(
    [
      `${config.architecture}, ${out.model.params} params, ${config.numLayers} layers; ${o.dtype} (${wb} B/weight), ` +
        `context ${contextLength} × batch ${batch}, redundancy ${redundancy}`,
      `${nodes.length} nodes → ${stages.length} stages${plan.unusedNodeIds.length ? `, ${plan.unusedNodeIds.length} nodes unused` : ''}`,
      '',
      'stage  layers    nodes             weights   kv cache   activ.      total       node',
      ...rows,
      '',
      `bottleneck: stage ${b.stage} (layers ${span(b.span)}, ${ids(b.nodeIds)}) reads ${fmtBytes(b.weightBytes)} of weights per token`,
    ].join('\n') + '\n',
  );
}
