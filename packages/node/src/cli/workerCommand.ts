import { generateKeyPair } from '@ailo/ledger';
import { readKeyFile } from '@ailo/ledger/node';
import type { BackendName } from '@ailo/pipeline';
import { peerIdOf } from '@ailo/protocol';
import { CliError } from '../cliError';
import { corpusData, fileData } from '../data/trainingData';
import { createLogger } from '../logging/createLogger';
import { startWorker } from '../worker/node/startWorker';
import { parseLayers } from './parseLayers';
import { untilSignal } from './untilSignal';

/** Options of `ailo worker`, as commander parses them. */
export interface WorkerCommandOptions {
  coordinator: string;
  wallet?: string;
  layers: string;
  model?: string;
  backend: string;
  memory?: number;
  threads?: number;
  maxSessions?: number;
  cacheDir?: string;
  link?: string;
  corpus?: string;
  data?: string;
  verbose?: boolean;
  json?: boolean;
}

/** `ailo worker`: serves until SIGINT/SIGTERM, or fails on a permanent refusal. */
export async function workerCommand(o: WorkerCommandOptions): Promise<void> {
  if (!/^wss?:\/\//.test(o.coordinator))
    throw new CliError(`--coordinator expects ws://HOST:PORT, got "${o.coordinator}"`);
  if (!['cpu', 'cuda', 'ref'].includes(o.backend))
    throw new CliError(`--backend expects cpu, cuda or ref, got "${o.backend}"`);
  const layers = parseLayers(o.layers);
  const link = o.link === undefined ? undefined : parseLinkAddress(o.link);
  const log = createLogger({ verbose: o.verbose === true, role: 'worker' });
  if (o.corpus && o.data) throw new CliError('Give --corpus or --data, not both');
  const data = o.corpus ? corpusData(o.corpus) : o.data ? fileData(o.data) : undefined;
  const key = o.wallet ? await readKeyFile(o.wallet) : generateKeyPair();
  const id = peerIdOf(key.publicKey);
  const w = startWorker({
    coordinator: o.coordinator,
    key,
    ...(data
      ? {
          training: {
            data,
            onEvent: (e) => {
              if (o.json) process.stdout.write(`${JSON.stringify({ event: `train.${e.type}`, id, ...e })}\n`);
              else if (e.type === 'submitted')
                process.stdout.write(
                  `round ${e.round}: trained on ${e.samples} samples, loss ${e.firstLoss.toFixed(3)} → ${e.lastLoss.toFixed(3)}\n`,
                );
              else if (e.type === 'rejected' || e.type === 'failed')
                process.stdout.write(`round ${e.round}: ${e.type}: ${e.reason}\n`);
            },
          },
        }
      : {}),
    backend: o.backend as BackendName,
    log,
    ...(layers ? { layers } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.memory !== undefined ? { memoryBytes: o.memory * 1024 * 1024 } : {}),
    ...(o.threads !== undefined ? { threads: o.threads } : {}),
    ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
    ...(link ? { link } : {}),
    onLedgerBlock: (height, stateHash) => {
      if (o.json) process.stdout.write(`${JSON.stringify({ event: 'ledger', id, height, stateHash })}\n`);
    },
    onServing: (s) => {
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ event: 'serving', id, model: s.model, version: s.version, start: s.start, end: s.end })}\n`
          : `serving ${s.model} layers ${s.start}:${s.end}\n`,
      );
    },
  });
  const stopped = untilSignal().then(() => w.stop());
  await Promise.race([w.done, stopped]);
  await w.stop();
}

/** `--link [host:]port` → the link listener's address (host default 127.0.0.1). */
export function parseLinkAddress(v: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65_535) throw new CliError(`--link expects [host:]port, e.g. 0.0.0.0:7001, got "${v}"`);
  return { host: m[1] ?? '127.0.0.1', port };
}
