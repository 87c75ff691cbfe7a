import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import {
  type AggregatorOptions,
  createAggregator,
  decodeTensorFile,
  decodeUpdateFile,
  encodeTensorFile,
  encodeUpdateFile,
  FedAvgError,
  FedAvgMOptimizer,
  FedAvgOptimizer,
  isFedAvgError,
  META_CLIENTS,
  META_MODEL_HASH,
  META_PARENT,
  META_ROUND,
  META_RULE,
  modelHash,
  type TensorSchema,
  type Tensors,
  tensorsFromEntries,
} from '@ailo/fedavg';
import { openModelDir } from '@ailo/virtual-tensor/node';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { nodeSha256 } from '../nodeSha256';

const RULES = ['fedavg', 'fedavgm', 'trimmed-mean', 'median', 'krum'] as const;
type CliRule = (typeof RULES)[number];

interface AggregateCliOptions {
  out: string;
  rule: CliRule;
  serverLr: number;
  momentum?: number;
  trim?: number;
  byzantine?: number;
  select?: number;
  clipNorm?: number;
  precision: 'f32' | 'f64';
  base?: string;
  json?: boolean;
}

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function fraction(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a number in [0, 1)');
  return n;
}

function nonNegInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

/** Re-raises a FedAvgError with the file it came from in the message; wraps I/O errors. */
function inFile<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isFedAvgError(err)) {
      throw new FedAvgError(err.code, `${path}: ${err.shortMessage}`, {
        cause: err,
        ...(err.details ? { details: err.details } : {}),
        ...(err.meta ? { meta: err.meta } : {}),
      });
    }
    throw err;
  }
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new FedAvgError('INVALID_UPDATE_FILE', `Cannot read ${path}.`, { cause });
  }
}

/** The base model M_t from a packed model directory or a .safetensors file. */
async function loadBase(path: string): Promise<{ tensors: Tensors; schema: TensorSchema }> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (cause) {
    throw new FedAvgError('INVALID_UPDATE_FILE', `Cannot read ${path}.`, { cause });
  }
  if (isDir) {
    const entries = await (await openModelDir(path)).loadAll();
    return inFile(path, () => tensorsFromEntries(entries));
  }
  const bytes = await readBytes(path);
  return inFile(path, () => decodeTensorFile(bytes));
}

function aggregatorOptions(o: AggregateCliOptions, clients: number): AggregatorOptions {
  const clip = o.clipNorm === undefined ? {} : { clipNorm: o.clipNorm };
  switch (o.rule) {
    case 'fedavg':
    case 'fedavgm':
      return { rule: 'fedavg', precision: o.precision, ...clip };
    case 'trimmed-mean':
      return {
        rule: 'trimmed-mean',
        maxClients: clients,
        ...(o.trim === undefined ? {} : { trim: o.trim }),
        ...clip,
      };
    case 'median':
      return { rule: 'median', maxClients: clients, ...clip };
    case 'krum':
      return {
        rule: 'krum',
        maxClients: clients,
        // default: the most Byzantine clients Krum tolerates with this many updates (K > 2f + 2)
        byzantine: o.byzantine ?? Math.max(0, Math.floor((clients - 3) / 2)),
        ...(o.select === undefined ? {} : { select: o.select }),
        ...clip,
      };
  }
}

/** Writes `bytes` to `path` via a temporary file and a rename, so a failure never leaves a partial file. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new FedAvgError('INVALID_UPDATE_FILE', `Cannot write ${path}.`, { cause });
  }
}

async function aggregateCommand(files: string[], o: AggregateCliOptions): Promise<void> {
  const base = o.base === undefined ? undefined : await loadBase(o.base);
  const baseHash = base && inFile(o.base!, () => modelHash(base.tensors, base.schema, nodeSha256));
  let schema: TensorSchema | undefined = base?.schema;
  let round: number | undefined;
  let updateBase: string | undefined;
  let agg: ReturnType<typeof createAggregator> | undefined;
  // one file at a time: streaming rules hold O(model) memory however many files there are
  for (const path of files) {
    const bytes = await readBytes(path);
    const u = inFile(path, () => decodeUpdateFile(bytes));
    if (round === undefined) {
      round = u.round;
      updateBase = u.base;
    }
    inFile(path, () => {
      if (u.round !== round) {
        throw new FedAvgError(
          'WRONG_ROUND',
          `Update is for round ${u.round}, the first update for round ${round}.`,
        );
      }
      const expected = baseHash ?? updateBase;
      if (u.base !== expected) {
        throw new FedAvgError('WRONG_BASE', 'Update was trained from another base model.', {
          details: `Expected base ${expected}, got ${u.base}.`,
          meta: { expected, actual: u.base },
        });
      }
      schema ??= u.shapes;
      agg ??= createAggregator(schema, aggregatorOptions(o, files.length));
      agg.add({ delta: u.delta, numSamples: u.numSamples, shapes: u.shapes });
    });
  }
  const result = agg!.finish();
  const meta = { [META_CLIENTS]: String(result.clients), [META_RULE]: o.rule };
  let out: Uint8Array;
  let newHash: string | undefined;
  if (base) {
    const optimizer =
      o.rule === 'fedavgm'
        ? new FedAvgMOptimizer({
            serverLr: o.serverLr,
            ...(o.momentum === undefined ? {} : { momentum: o.momentum }),
          })
        : new FedAvgOptimizer({ serverLr: o.serverLr });
    const model = optimizer.apply(base.tensors, base.schema, result.delta);
    newHash = modelHash(model, base.schema, nodeSha256);
    out = encodeTensorFile(model, base.schema, {
      ...meta,
      [META_ROUND]: String(round),
      [META_PARENT]: baseHash!,
      [META_MODEL_HASH]: newHash,
    });
  } else {
    // the step η·Δ̄ (= Δ̄ for η = 1): itself an update file, so aggregates can be aggregated again
    const step = new Map(
      [...result.delta].map(([name, x]) => [name, o.serverLr === 1 ? x : x.map((v) => v * o.serverLr)]),
    );
    out = encodeUpdateFile({
      delta: step,
      shapes: schema!,
      numSamples: result.numSamples,
      round: round!,
      base: updateBase!,
      metadata: { ...meta, server_lr: String(o.serverLr) },
    });
  }
  await writeAtomically(o.out, out);
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ clients: result.clients, numSamples: result.numSamples })}\n`);
  } else {
    process.stdout.write(
      `aggregated ${result.clients} updates (${result.numSamples} samples, ${o.rule}) → ${o.out}` +
        `${newHash ? ` (new model ${newHash.slice(0, 12)}…)` : ''}\n`,
    );
  }
}

/** Registers `ailo fl aggregate` (@ailo/fedavg). */
export function registerFlCommands(program: Command): void {
  const fl = program.command('fl').description('federated learning: aggregate client updates');
  fl.command('aggregate')
    .description(
      'aggregate update files (safetensors with __metadata__ num_samples/round/base): ' +
        'M_{t+1} = M_t − η·Σ(n_k/n)·Δ_k; writes the step η·Δ̄, or with --base the new model',
    )
    .argument('<updates...>', 'update .safetensors files')
    .requiredOption('--out <file>', 'output .safetensors file')
    .addOption(new Option('--rule <rule>', 'aggregation rule').choices([...RULES]).default('fedavg'))
    .option('--server-lr <eta>', 'server learning rate η', positiveNumber, 1)
    .option('--momentum <beta>', 'fedavgm: server momentum β (one offline round starts from v = 0)', fraction)
    .option('--trim <beta>', 'trimmed-mean: fraction cut at each end (default 0.1)', fraction)
    .option('--byzantine <f>', 'krum: Byzantine updates tolerated (default: the most K allows)', nonNegInt)
    .option('--select <m>', 'krum: updates averaged (multi-Krum; default 1)', nonNegInt)
    .option('--clip-norm <c>', 'clip each update to this L2 norm first', positiveNumber)
    .addOption(new Option('--precision <p>', 'fedavg accumulator').choices(['f32', 'f64']).default('f32'))
    .option('--base <model>', 'base model M_t: packed model directory or .safetensors file')
    .option('--json', 'print {"clients","numSamples"} as JSON')
    .action((files: string[], o: AggregateCliOptions) => aggregateCommand(files, o));
}
