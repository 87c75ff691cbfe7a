import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AbuseLimitsInput } from '../coordinator/AbuseLimits';
import { startCoordinatorNode } from '../coordinator/startCoordinatorNode';
import type { Rate } from '../coordinator/TokenBucket';
import { brownValidationPool } from '../data/brownShards';
import { createLogger } from '../logging/createLogger';
import { formatAlc } from '../rounds/formatAlc';
import { untilSignal } from './untilSignal';

/** Options of `ailo coordinator`, as commander parses them. */
export interface CoordinatorCommandOptions {
  port: number;
  host: string;
  httpPort?: number;
  dataDir?: string;
  model: string[];
  modelId?: string;
  stages?: number;
  maxSessions?: number;
  rounds?: number;
  minTrainers: number;
  chainId?: string;
  verbose?: boolean;
  json?: boolean;
  /** ms */
  handshakeTimeout?: number;
  maxConnectionsPerIp?: number;
  submitLimit?: Rate;
  inferenceLimit?: Rate;
  corsOrigin?: string[];
}

/** The abuse limits given on the command line (the rest stay at their defaults). */
function abuseLimits(o: CoordinatorCommandOptions): AbuseLimitsInput {
  return {
    ...(o.handshakeTimeout !== undefined ? { handshakeTimeoutMs: o.handshakeTimeout } : {}),
    ...(o.maxConnectionsPerIp !== undefined ? { maxConnectionsPerIp: o.maxConnectionsPerIp } : {}),
    ...(o.submitLimit ? { requests: { 'update.submit': o.submitLimit } } : {}),
    ...(o.inferenceLimit ? { inference: o.inferenceLimit } : {}),
  };
}

/** `ailo coordinator`: serves (and runs `--rounds` federated rounds once enough trainers joined) until SIGINT/SIGTERM. */
export async function coordinatorCommand(o: CoordinatorCommandOptions): Promise<void> {
  const log = createLogger({ verbose: o.verbose === true, role: 'coordinator' });
  const dataDir = o.dataDir ?? join(homedir(), '.ailo', 'coordinator');
  const node = await startCoordinatorNode({
    dataDir,
    port: o.port,
    host: o.host,
    log,
    abuse: abuseLimits(o),
    ...(o.model.length
      ? { models: o.model.map((dir, i) => (i === 0 && o.modelId ? { dir, id: o.modelId } : { dir })) }
      : {}),
    ...(o.httpPort !== undefined ? { httpPort: o.httpPort } : {}),
    ...(o.corsOrigin?.length ? { corsOrigins: o.corsOrigin } : {}),
    ...(o.stages !== undefined ? { stages: o.stages } : {}),
    ...(o.maxSessions !== undefined ? { maxSessions: o.maxSessions } : {}),
    ...(o.rounds
      ? { training: { validation: brownValidationPool(64), ...(o.chainId ? { chainId: o.chainId } : {}) } }
      : {}),
  });
  const c = node.coordinator;
  const out = (event: string, human: string, fields: Record<string, unknown>) =>
    process.stdout.write(
      o.json
        ? `${JSON.stringify({ event, ...fields }, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`
        : `${human}\n`,
    );
  const models = c
    .modelIds()
    .map((id) => ({ id, layers: c.model(id).config.numLayers, version: c.model(id).version }));
  out(
    'ready',
    [
      'coordinator ready',
      `  workers:  ailo worker --coordinator ${c.url}`,
      `  api:      ${c.httpUrl}/v1`,
      ...models.map((m) => `  model:    ${m.id} (${m.layers} layers)`),
    ].join('\n'),
    { ws: c.url, http: c.httpUrl, models, dataDir },
  );
  let stopping = false;
  const stop = untilSignal().then(() => {
    stopping = true;
  });
  if (node.rounds && o.rounds) {
    const rounds = node.rounds;
    const work = (async () => {
      for (let i = 0; i < o.rounds! && !stopping; i++) {
        // a signal ends the wait for trainers too, so the process can exit
        while (!stopping && rounds.trainers().length < o.minTrainers)
          await new Promise((r) => setTimeout(r, 250));
        if (stopping) return;
        const r = await rounds.runRound();
        out(
          'round',
          `round ${r.round}: ${r.accepted.length}/${r.clients} accepted, validation loss ${r.validationLoss.before.toFixed(3)} → ${r.validationLoss.after.toFixed(3)}, minted ${formatAlc(r.minted)} ALC`,
          { ...r },
        );
      }
    })();
    work.catch((e) => log.error({ err: (e as Error).message }, 'rounds stopped'));
  }
  await stop;
  await node.close();
}
