import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BackendName,
  evenSpans,
  LocalTrainer,
  type OptimizerOptions,
  TrainingPipeline,
  textDataset,
  type Weight,
} from '@ailo/pipeline';
import { createNodeBackend, type LoadedModel, loadBrownCorpus, loadModel } from '@ailo/pipeline/node';
import { encodeSafetensors, float32ToEntry } from '@ailo/virtual-tensor';
import { packModel } from '@ailo/virtual-tensor/node';
import type { Command } from 'commander';
import { CliError } from '../cliError';

function parseIds(s: string): number[] {
  const ids = s.split(',').map((x) => Number(x.trim()));
  if (ids.length === 0 || ids.some((x) => !Number.isInteger(x)))
    throw new CliError(`--ids expects comma-separated integers, got "${s}"`);
  return ids;
}

function parseNum(name: string, opts: { min?: number; int?: boolean; above?: number } = {}) {
  return (s: string): number => {
    const v = Number(s);
    const ok =
      Number.isFinite(v) &&
      (opts.min === undefined || v >= opts.min) &&
      (opts.above === undefined || v > opts.above) &&
      (!opts.int || Number.isInteger(v));
    if (!ok) {
      const what = `${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.above !== undefined ? ` > ${opts.above}` : ''}`;
      throw new CliError(`${name} expects ${what}, got "${s}"`);
    }
    return v;
  };
}

function l2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Texts named by `--text FILE` or `--corpus brown[:genre,...]`. */
function trainingTexts(o: { text?: string; corpus?: string }): string[] {
  if ((o.text === undefined) === (o.corpus === undefined))
    throw new CliError('Give exactly one of --text FILE or --corpus brown[:genre,...]');
  if (o.text !== undefined) return [readFileSync(o.text, 'utf8')];
  const [name, genres] = o.corpus!.split(':', 2) as [string, string | undefined];
  if (name !== 'brown') throw new CliError(`Unknown corpus "${name}"; supported: brown[:genre,...]`);
  const list = genres
    ? genres
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : [];
  return loadBrownCorpus({ genres: list }).map((d) => d.text);
}

/** Writes weights as an HF directory: config.json + model.safetensors (f32). */
function writeHfDir(dir: string, model: LoadedModel, weights: ReadonlyMap<string, Weight>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), `${JSON.stringify(model.config.hf, null, 2)}\n`);
  const entries = [...weights].map(([k, w]) => [k, float32ToEntry(w.data, [...w.shape])] as const);
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(entries));
}

/** Writes the trained model: a packed VirtualTensor directory (`vt`) or an HF directory (`hf`). */
async function writeModel(
  out: string,
  format: string,
  model: LoadedModel,
  weights: ReadonlyMap<string, Weight>,
): Promise<void> {
  if (format === 'hf') return writeHfDir(out, model, weights);
  if (format !== 'vt') throw new CliError(`Unknown --format "${format}"; supported: vt, hf`);
  const tmp = mkdtempSync(join(tmpdir(), 'ailo-train-'));
  try {
    writeHfDir(tmp, model, weights);
    await packModel({ input: tmp, out, config: model.config });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `ailo model grads` and `ailo train`: gradients and local training (@ailo/pipeline). */
export function registerTrainCommands(program: Command, model: Command): void {
  model
    .command('grads <model-dir>')
    .description('loss and parameter gradients (HF names, row-major) of one token sequence')
    .requiredOption('--ids <ids>', 'comma-separated token ids', parseIds)
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option(
      '--stages <k>',
      'split into k in-process pipeline stages',
      parseNum('--stages', { min: 1, int: true }),
    )
    .option('--json', 'print {"loss", "grads": {name: [values]}}')
    .action(async (dir: string, o: { ids: number[]; backend: string; stages?: number; json?: boolean }) => {
      const m = await loadModel(dir);
      const pipeline = new TrainingPipeline({
        config: m.config,
        weights: m.weights,
        backend: createNodeBackend(o.backend as BackendName),
        spans: evenSpans(m.config.numLayers, o.stages ?? 1),
      });
      try {
        const r = await pipeline.gradients(m.weights, { ids: o.ids, batch: 1, seq: o.ids.length });
        if (o.json) {
          const grads: Record<string, number[]> = {};
          for (const [k, g] of r.grads) grads[k] = Array.from(g);
          process.stdout.write(`${JSON.stringify({ loss: r.loss, grads })}\n`);
        } else {
          process.stdout.write(`loss ${r.loss}\n`);
          for (const [k, g] of r.grads)
            process.stdout.write(
              `${k}  [${m.weights.get(k)!.shape.join(', ')}]  |g| ${l2(g).toExponential(4)}\n`,
            );
        }
      } finally {
        await pipeline.dispose();
      }
    });

  program
    .command('train <model-dir>')
    .description('train a model locally on text (AdamW, warmup + cosine, clipping) and write the result')
    .option('--text <file>', 'train on a UTF-8 text file')
    .option('--corpus <spec>', 'train on a corpus: brown or brown:genre,genre')
    .requiredOption('--steps <n>', 'optimizer steps', parseNum('--steps', { min: 1, int: true }))
    .option('--batch <b>', 'sequences per batch', parseNum('--batch', { min: 1, int: true }), 8)
    .option(
      '--seq <s>',
      'tokens per sequence (default: min(128, model context))',
      parseNum('--seq', { min: 2, int: true }),
    )
    .option('--lr <lr>', 'peak learning rate', parseNum('--lr', { above: 0 }), 1e-3)
    .option('--warmup <n>', 'warmup steps', parseNum('--warmup', { min: 0, int: true }), 0)
    .option('--accum <k>', 'batches accumulated per step', parseNum('--accum', { min: 1, int: true }), 1)
    .option(
      '--weight-decay <w>',
      'AdamW decoupled weight decay',
      parseNum('--weight-decay', { min: 0 }),
      0.01,
    )
    .option('--max-grad-norm <n>', 'global gradient-norm clip', parseNum('--max-grad-norm', { above: 0 }), 1)
    .option(
      '--held-out <f>',
      'fraction of sequences held out for evaluation',
      parseNum('--held-out', { min: 0 }),
      0.05,
    )
    .option('--seed <s>', 'data shuffle seed', parseNum('--seed', { int: true }), 0)
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option(
      '--stages <k>',
      'train as k in-process pipeline stages',
      parseNum('--stages', { min: 1, int: true }),
    )
    .requiredOption('--out <dir>', 'output model directory')
    .option('--format <f>', 'vt (packed VirtualTensor) | hf (config.json + model.safetensors)', 'vt')
    .option('--json', 'print one JSON object per step and a summary')
    .action(async (dir: string, o: Record<string, unknown>) => {
      const texts = trainingTexts(o as { text?: string; corpus?: string });
      const m = await loadModel(dir);
      if (!m.tokenizer)
        throw new CliError('This model has no tokenizer (tokenizer.json); cannot train on text');
      const tok = m.tokenizer;
      const seq = (o.seq as number | undefined) ?? Math.min(128, m.config.maxPositions);
      const data = textDataset(texts, {
        seq,
        batchSize: o.batch as number,
        seed: o.seed as number,
        heldOutFraction: o.heldOut as number,
        tokenize: (t) => tok.encode(t),
        separator: tok.eosTokenId ?? null,
      });
      const steps = o.steps as number;
      const accum = o.accum as number;
      const optimizer: OptimizerOptions = {
        lr: o.lr as number,
        warmupSteps: o.warmup as number,
        totalSteps: steps,
        weightDecay: o.weightDecay as number,
        maxGradNorm: o.maxGradNorm as number,
        accumulationSteps: accum,
      };
      const trainer = new LocalTrainer({
        config: m.config,
        weights: m.weights,
        backend: createNodeBackend(o.backend as BackendName),
        optimizer,
        spans: evenSpans(m.config.numLayers, (o.stages as number | undefined) ?? 1),
      });
      const say = (human: string, json: Record<string, unknown>) =>
        process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
      try {
        const heldOut = data.heldOut.slice(0, 8);
        const before = heldOut.length > 0 ? await trainer.evaluate(heldOut) : undefined;
        if (before !== undefined) say(`held-out loss ${before.toFixed(4)}`, { heldOutLoss: before, step: 0 });
        let next = 0;
        let loss = Number.NaN;
        const start = performance.now();
        for (let s = 1; s <= steps; s++) {
          const micro = Array.from({ length: accum }, () => data.train[next++ % data.train.length]!);
          const r = await trainer.step(micro);
          loss = r.loss;
          say(
            `step ${s}/${steps} loss ${r.loss.toFixed(4)} lr ${r.lr.toExponential(2)} |g| ${r.gradNorm.toFixed(3)}`,
            {
              step: s,
              loss: r.loss,
              lr: r.lr,
              gradNorm: r.gradNorm,
            },
          );
        }
        const seconds = (performance.now() - start) / 1000;
        const after = heldOut.length > 0 ? await trainer.evaluate(heldOut) : undefined;
        await writeModel(o.out as string, o.format as string, m, trainer.weights);
        const summary: Record<string, unknown> = {
          done: true,
          steps,
          loss,
          seconds,
          out: o.out,
          format: o.format,
        };
        if (before !== undefined)
          Object.assign(summary, { heldOutLossBefore: before, heldOutLossAfter: after });
        say(
          `trained ${steps} steps in ${seconds.toFixed(1)} s${after !== undefined ? `; held-out loss ${before!.toFixed(4)} → ${after.toFixed(4)}` : ''}; wrote ${o.out}`,
          summary,
        );
      } finally {
        await trainer.dispose();
      }
    });
}
