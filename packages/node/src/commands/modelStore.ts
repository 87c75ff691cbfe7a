import { readFile } from 'node:fs/promises';
import {
  type Architecture,
  chunksForLayers,
  type FloatDType,
  type Manifest,
  type ModelConfig,
  modelConfigFromHf,
  PRESET_NAMES,
  planModel,
  presetConfig,
  VirtualTensorError,
} from '@ailo/virtual-tensor';
import { openModelDir, type PackProgress, packModel, readManifest } from '@ailo/virtual-tensor/node';
import { type Command, InvalidArgumentError, Option } from 'commander';

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

function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
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

/** A one-line progress bar on stderr (TTY only; otherwise silent until the end). */
function progressBar(enabled: boolean): { update(p: PackProgress): void; done(): void } {
  const tty = enabled && process.stderr.isTTY === true;
  let last = 0;
  return {
    update(p) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && p.bytes < p.total) return;
      last = now;
      const width = 30;
      const frac = p.total > 0 ? p.bytes / p.total : 1;
      const full = Math.round(frac * width);
      process.stderr.write(
        `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
          `${fmtBytes(p.bytes)} / ${fmtBytes(p.total)}  chunk ${p.chunks}/${p.totalChunks}`,
      );
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
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

/** Registers `ailo model pack|inspect|plan` (@ailo/virtual-tensor). */
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
          onProgress: (p) => bar.update(p),
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
    .description('plan the chunks of a model from its config alone (no weights)')
    .addOption(new Option('--preset <name>', 'built-in config').choices(PRESET_NAMES))
    .option('--config <file>', 'HF config.json')
    .option('--chunks <n>', 'number of near-equal chunks', positiveInt)
    .option('--chunk-mb <mb>', 'target chunk size in MB (10^6 bytes)', positiveNumber)
    .addOption(new Option('--dtype <dtype>', 'weight dtype').choices(['f32', 'f16', 'bf16']).default('f32'))
    .option('--json', 'print JSON {chunks, totalBytes, params}')
    .action(
      async (o: {
        preset?: string;
        config?: string;
        chunks?: number;
        chunkMb?: number;
        dtype: FloatDType;
        json?: boolean;
      }) => {
        if ((o.preset === undefined) === (o.config === undefined)) {
          throw new VirtualTensorError('CONFIG_INVALID', 'Give exactly one of --preset or --config.');
        }
        const config = o.preset ? presetOrThrow(o.preset) : modelConfigFromHf(await readJsonFile(o.config!));
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
      },
    );
}
