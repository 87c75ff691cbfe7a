import { type BackendName, type GenerateOptions, generate, StageChain } from '@ailo/pipeline';
import { createNodeBackend, exportTransformersJs, loadModel } from '@ailo/pipeline/node';
import type { Command } from 'commander';
import { CliError } from '../cliError';

function parseIds(s: string): number[] {
  const ids = s.split(',').map((x) => Number(x.trim()));
  if (ids.length === 0 || ids.some((x) => !Number.isInteger(x)))
    throw new CliError(`--ids expects comma-separated integers, got "${s}"`);
  return ids;
}

function parseNum(name: string, min?: number) {
  return (s: string): number => {
    const v = Number(s);
    if (!Number.isFinite(v) || (min !== undefined && v < min))
      throw new CliError(`${name} expects a number${min !== undefined ? ` >= ${min}` : ''}, got "${s}"`);
    return v;
  };
}

async function openChain(dir: string, backend: string, stages: number | undefined) {
  const model = await loadModel(dir);
  const chain = await StageChain.create(
    model.config,
    model.weights,
    createNodeBackend(backend as BackendName),
    {
      stages: stages ?? 1,
    },
  );
  return { model, chain };
}

/** `ailo generate` and `ailo model logits`: run a model locally, optionally split into in-process stages. */
export function registerModelRunCommands(program: Command, model: Command): void {
  model
    .command('logits <model-dir>')
    .description('print next-token logits for every position of a token sequence')
    .requiredOption('--ids <ids>', 'comma-separated token ids', parseIds)
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option('--stages <k>', 'split into k in-process pipeline stages', parseNum('--stages', 1))
    .option('--json', 'print JSON (the default)')
    .action(async (dir: string, o: { ids: number[]; backend: string; stages?: number }) => {
      const { chain, model: m } = await openChain(dir, o.backend, o.stages);
      try {
        const out = await chain.forward('logits', [o.ids]);
        const V = m.config.vocabSize;
        const data = out.data as Float32Array;
        const logits = o.ids.map((_, t) => Array.from(data.subarray(t * V, (t + 1) * V)));
        process.stdout.write(`${JSON.stringify({ logits })}\n`);
      } finally {
        await chain.dispose();
      }
    });

  model
    .command('export <model-dir>')
    .description(
      'export for other runtimes (transformers.js: config.json + onnx/model.onnx with past key/values)',
    )
    .requiredOption('--format <format>', 'transformers.js')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (dir: string, o: { format: string; out: string }) => {
      if (o.format !== 'transformers.js')
        throw new CliError(`Unknown export format "${o.format}"; supported: transformers.js`);
      const m = await loadModel(dir);
      exportTransformersJs(m.config, m.weights, o.out, { tokenizerDir: dir });
      process.stdout.write(
        `${JSON.stringify({ out: o.out, format: o.format, files: ['config.json', 'generation_config.json', 'onnx/model.onnx'] })}\n`,
      );
    });

  program
    .command('generate <model-dir>')
    .description('generate text locally (solo), streaming tokens')
    .option('--prompt <text>', 'prompt text (needs a tokenizer)')
    .option('--ids <ids>', 'prompt token ids', parseIds)
    .option('--max-tokens <n>', 'tokens to generate', parseNum('--max-tokens', 1), 32)
    .option('--greedy', 'arg-max decoding')
    .option('--temperature <t>', 'sampling temperature', parseNum('--temperature', 0))
    .option('--top-p <p>', 'nucleus sampling', parseNum('--top-p', 0))
    .option('--top-k <k>', 'top-k sampling', parseNum('--top-k', 0))
    .option('--seed <s>', 'sampler seed', parseNum('--seed'))
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option('--stages <k>', 'split into k in-process pipeline stages', parseNum('--stages', 1))
    .option('--json', 'print {"ids", "text"} when done instead of streaming')
    .action(async (dir: string, o: Record<string, unknown>) => {
      const { chain, model: m } = await openChain(dir, o.backend as string, o.stages as number | undefined);
      try {
        let prompt = o.ids as number[] | undefined;
        if (!prompt) {
          if (typeof o.prompt !== 'string') throw new CliError('Give --prompt TEXT or --ids 1,2,3');
          if (!m.tokenizer) throw new CliError('This model has no tokenizer; use --ids');
          prompt = m.tokenizer.encode(o.prompt);
        }
        const opts: GenerateOptions = { maxTokens: o.maxTokens as number, greedy: o.greedy === true };
        if (o.temperature !== undefined) opts.temperature = o.temperature as number;
        if (o.topP !== undefined) opts.topP = o.topP as number;
        if (o.topK !== undefined) opts.topK = o.topK as number;
        if (o.seed !== undefined) opts.seed = o.seed as number;
        const it = generate(chain, prompt, opts, m.tokenizer);
        for (;;) {
          const r = await it.next();
          if (r.done) {
            if (o.json)
              process.stdout.write(
                `${JSON.stringify({ ids: r.value.ids, text: r.value.text, finishReason: r.value.finishReason })}\n`,
              );
            else process.stdout.write(m.tokenizer ? '\n' : `${r.value.ids.join(',')}\n`);
            break;
          }
          if (!o.json && m.tokenizer) process.stdout.write(r.value.text);
        }
      } finally {
        await chain.dispose();
      }
    });
}
