import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { decodeUpdateFile, modelHash } from '@ailo/fedavg';
import { formatAlc } from '@ailo/ledger';
import type { BackendName } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import {
  ContributionJudge,
  type ContributionReport,
  checkSequences,
  createTrainingLossEvaluator,
  type PocConfigInput,
} from '@ailo/poc';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cliError';
import { nodeSha256 } from '../nodeSha256';

/** Chain id signed into contributions when `--chain-id` is not given. */
const DEFAULT_CHAIN_ID = 'ailo-local';

/** Longest validation sequence cut from a text file when `--seq-len` is not given. tokens */
const DEFAULT_TEXT_SEQ_LEN = 64;

/** Most sequences read from a validation file. */
const MAX_VALIDATION_SEQUENCES = 4096;

interface CheckOptions {
  base: string;
  update: string;
  validation: string;
  json?: boolean;
  chainId: string;
  medianNorm?: number;
  maxSamples?: number;
  elapsedMs?: number;
  seqLen?: number;
  backend: string;
  requireSignature?: boolean;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

/** Token sequences of a validation file: a `.json` array of token-id arrays, or text cut into `seqLen`-token pieces. */
async function readValidation(
  path: string,
  seqLen: number,
  encode: ((text: string) => number[]) | undefined,
): Promise<number[][]> {
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new CliError(`Cannot read --validation ${path}: ${(cause as Error).message}`);
  });
  if (extname(path).toLowerCase() === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`--validation ${path} is not valid JSON`);
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((s) => Array.isArray(s) && s.every(Number.isInteger))
    ) {
      throw new CliError(
        `--validation ${path} must hold a non-empty array of token-id arrays, e.g. [[1,2,3],[4,5,6]]`,
      );
    }
    return (parsed as number[][]).slice(0, MAX_VALIDATION_SEQUENCES);
  }
  if (!encode)
    throw new CliError(
      'This model has no tokenizer: give the validation set as a .json array of token-id sequences',
    );
  const ids = encode(text);
  const out: number[][] = [];
  for (let i = 0; i + seqLen <= ids.length && out.length < MAX_VALIDATION_SEQUENCES; i += seqLen)
    out.push(ids.slice(i, i + seqLen));
  if (out.length === 0) throw new CliError(`--validation ${path} holds fewer than ${seqLen} tokens`);
  return out;
}

function jsonReport(r: ContributionReport, sequences: number) {
  return JSON.parse(
    JSON.stringify(
      {
        accepted: r.accepted,
        reason: r.reason,
        message: r.message,
        clientId: r.clientId,
        round: r.round,
        numSamples: r.numSamples,
        lossBonus: r.lossBonus,
        rewardWithheld: r.rewardWithheld,
        checks: r.checks,
        reward: {
          training: r.reward.training,
          fastBonus: r.reward.fastBonus,
          total: r.reward.total,
          totalAlc: formatAlc(r.reward.total),
        },
        validationSequences: sequences,
      },
      (_, v) => (typeof v === 'bigint' ? v.toString() : v),
    ),
  );
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : typeof v === 'object' && v !== null ? JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)}`,
    )
    .join(' ');
}

function textReport(r: ContributionReport): string {
  const lines = [r.accepted ? 'verdict: accepted' : `verdict: rejected (${r.reason}): ${r.message}`];
  if (r.rewardWithheld)
    lines.push(`reward withheld (${r.rewardWithheld.reason}): ${r.rewardWithheld.message}`);
  lines.push('checks:');
  for (const c of r.checks)
    lines.push(
      `  ${c.check.padEnd(16)}${c.status.padEnd(8)}${show(c.value)}${c.message && c.status === 'fail' ? `  — ${c.message}` : ''}`,
    );
  lines.push(
    `reward: ${formatAlc(r.reward.total)} ALC (training ${formatAlc(r.reward.training)}, fast bonus ${formatAlc(r.reward.fastBonus)}; LossBonus ${r.lossBonus.toFixed(4)})`,
  );
  return `${lines.join('\n')}\n`;
}

/** `ailo poc check`: judge one update file against a model and a validation set, offline. */
export function registerPocCommands(program: Command): void {
  const poc = program
    .command('poc')
    .description('Proof-of-Contribution: check updates and what they would earn');
  poc
    .command('check')
    .description(
      'run every Proof-of-Contribution check on one update file; prints the verdict and the reward (exit code 0 either way)',
    )
    .requiredOption('--base <model-dir>', 'the base model M_t (HF layout: config.json + safetensors)')
    .requiredOption('--update <file>', 'the update file (safetensors with num_samples, round, base metadata)')
    .requiredOption(
      '--validation <file>',
      'held-out data: a text file (tokenized with the model tokenizer) or a .json array of token-id sequences',
    )
    .option('--json', 'print the report as JSON')
    .option('--chain-id <id>', 'chain id the contribution was signed for', DEFAULT_CHAIN_ID)
    .option(
      '--median-norm <x>',
      "the round's median update norm (enables the [lo, hi] × median bounds)",
      positive,
    )
    .option('--max-samples <n>', 'n_k cap: the data assigned to the client', positiveInt)
    .option(
      '--elapsed-ms <ms>',
      'task → update time measured by the coordinator (for the fast bonus)',
      nonNegative,
    )
    .option(
      '--seq-len <n>',
      `tokens per validation sequence cut from a text file (default ${DEFAULT_TEXT_SEQ_LEN}, at most the context)`,
      positiveInt,
    )
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option(
      '--require-signature',
      'reject an update without a contribution proof (default: report the signature checks as skipped)',
    )
    .action(async (o: CheckOptions) => {
      const model = loadModelDir(o.base);
      const schema = new Map<string, number[]>();
      const tensors = new Map<string, Float32Array>();
      for (const [name, w] of model.weights) {
        schema.set(name, [...w.shape]);
        tensors.set(name, w.data);
      }
      const seqLen = Math.min(o.seqLen ?? DEFAULT_TEXT_SEQ_LEN, model.config.maxPositions);
      const tokenizer = model.tokenizer;
      const sequences = await readValidation(
        o.validation,
        seqLen,
        tokenizer ? (t) => tokenizer.encode(t) : undefined,
      );
      checkSequences(sequences, model.config);
      const bytes = new Uint8Array(
        await readFile(o.update).catch((cause: unknown) => {
          throw new CliError(`Cannot read --update ${o.update}: ${(cause as Error).message}`);
        }),
      );
      let round = 0;
      try {
        round = decodeUpdateFile(bytes).round;
      } catch {
        // the judge reports why the file is unreadable
      }
      const config: PocConfigInput = { validation: { sequences: sequences.length } };
      if (o.maxSamples !== undefined) config.maxNumSamples = o.maxSamples;
      const now = Date.now();
      const judge = new ContributionJudge({
        chainId: o.chainId,
        secret: globalThis.crypto.getRandomValues(new Uint8Array(32)),
        evaluator: createTrainingLossEvaluator({
          config: model.config,
          schema,
          backend: createNodeBackend(o.backend as BackendName),
        }),
        validationPool: sequences,
        config,
        requireProof: o.requireSignature === true,
        clock: () => now,
        createHash: nodeSha256,
      });
      judge.beginRound({
        round,
        base: modelHash(tensors, schema, nodeSha256),
        model: tensors,
        schema,
        ...(o.medianNorm !== undefined ? { referenceNorm: o.medianNorm } : {}),
      });
      const report = await judge.check(
        { file: bytes },
        o.elapsedMs !== undefined ? { taskSentAt: now - o.elapsedMs } : {},
      );
      process.stdout.write(
        o.json ? `${JSON.stringify(jsonReport(report, sequences.length))}\n` : textReport(report),
      );
    });
}
