import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createNodeBackend } from '@ailo/pipeline/node';
import {
  ContributionJudge,
  createTrainingLossEvaluator,
  type PocConfigInput,
  resolvePocConfig,
} from '@ailo/poc';
import { createIdentity } from '@ailo/protocol';
import { loadOrCreateKey } from '../cli/nodeKey';
import { DEFAULT_BLOCK_INTERVAL_MS } from '../constants';
import { NodeError } from '../errors';
import { openAiRoutes } from '../http/openAiRoutes';
import { statusRoutes } from '../http/statusRoutes';
import { webUiRoutes } from '../http/webUiRoutes';
import { InferencePayouts } from '../ledger/InferencePayouts';
import { RewardLedger } from '../ledger/RewardLedger';
import { SILENT_LOG } from '../logging/log';
import { nodeSha256 } from '../nodeSha256';
import { FederatedRounds, type RoundFaults, type RoundSettings } from '../rounds/FederatedRounds';
import { Coordinator, type CoordinatorOptions } from './Coordinator';
import { readCoordinatorState, writeCoordinatorState } from './coordinatorState';
import { loadServedModel, modelIdOf, openPackedDir } from './loadServedModel';
import type { ServedModel } from './ServedModel';
import { workerAddress } from './WorkerRegistry';

/** Federated training on the coordinator. */
export interface TrainingOptions {
  /** ledger chain id (default `ailo-local`) */
  chainId?: string;
  /** secret validation sequences (token ids), for Proof-of-Contribution and the round reports */
  validation: number[][];
  settings?: Partial<RoundSettings>;
  /** Proof-of-Contribution thresholds */
  poc?: PocConfigInput;
  /** fault injection for tests */
  faults?: RoundFaults;
}

/** Options of {@link startCoordinatorNode}. */
export interface CoordinatorNodeOptions extends Omit<CoordinatorOptions, 'models' | 'identity'> {
  /** persistent state: key, packed models, rounds, ledger */
  dataDir: string;
  /** models to serve; default: those of the previous run in `dataDir` */
  models?: { dir: string; id?: string }[];
  /** run federated rounds on the default model */
  training?: TrainingOptions;
  /** how often queued transfers and votes are sealed into a block. ms (default {@link DEFAULT_BLOCK_INTERVAL_MS}) */
  blockIntervalMs?: number;
}

/** A running coordinator node with its optional training and ledger parts. */
export interface CoordinatorNode {
  coordinator: Coordinator;
  rounds: FederatedRounds | undefined;
  ledger: RewardLedger | undefined;
  /** rewards for served generations (with `training`, which opens the ledger) */
  payouts: InferencePayouts | undefined;
  close(): Promise<void>;
}

/** Chain id of a coordinator's ledger when none is given. */
export const DEFAULT_CHAIN_ID = 'ailo-local';

/**
 * A full coordinator node: its key and state under `dataDir` (restarts
 * resume: same identity, same models, latest global versions, round counter,
 * ledger), the models packed and served, the HTTP API (`/v1/*`, `/health`,
 * `/metrics`) and, with `training`, federated rounds checked by
 * Proof-of-Contribution and rewarded on the ledger.
 * @throws NodeError `bad_request` when no model is given and none was served before.
 */
export async function startCoordinatorNode(opts: CoordinatorNodeOptions): Promise<CoordinatorNode> {
  const dataDir = resolve(opts.dataDir);
  const state = readCoordinatorState(dataDir);
  const wanted =
    opts.models?.map((m) => ({ dir: resolve(m.dir), id: m.id ?? modelIdOf(m.dir) })) ?? state.models;
  if (wanted.length === 0)
    throw new NodeError(
      'bad_request',
      `No model to serve: pass --model DIR (nothing was served from ${dataDir} before)`,
    );
  const models: ServedModel[] = [];
  for (const m of wanted) {
    const latest = state.latest[m.id];
    models.push(latest ? openPackedDir(latest, m.id, m.dir) : await loadServedModel(m.dir, dataDir, m.id));
  }
  writeCoordinatorState(dataDir, { ...state, models: wanted });
  const key = await loadOrCreateKey(dataDir, 'coordinator');
  const log = opts.log ?? SILENT_LOG;
  const { training, blockIntervalMs, ...rest } = opts;
  const c = await Coordinator.start({ ...rest, models, identity: createIdentity(key.secretKey), log });
  c.addHttp(statusRoutes(c));
  c.addHttp(webUiRoutes());
  let ledger: RewardLedger | undefined;
  let rounds: FederatedRounds | undefined;
  let payouts: InferencePayouts | undefined;
  let sealer: ReturnType<typeof setInterval> | undefined;
  c.addHttp(
    openAiRoutes(c, log, {
      // HTTP clients are anonymous: the coordinator stands in as their requester, so the
      // per-requester limit caps what all of them together can make the network mint
      onCompleted: (requestId, servers) =>
        payouts?.record({
          requestId,
          requester: key.address,
          servers: servers.map(workerAddress),
        }),
    }),
  );
  try {
    if (training) {
      ledger = await RewardLedger.open({ dataDir, key, chainId: training.chainId ?? DEFAULT_CHAIN_ID });
      const l = ledger;
      c.onPeer((w) => l.attach(w.peer));
      payouts = new InferencePayouts(ledger, resolvePocConfig(training.poc), log);
      // users' transfers, VERIFY and REPORT votes wait in the mempool until a block seals them
      sealer = setInterval(() => {
        l.flush().catch((e) => log.error({ err: (e as Error).message }, 'cannot seal a block'));
      }, blockIntervalMs ?? DEFAULT_BLOCK_INTERVAL_MS);
      sealer.unref?.();
      const m = models[0]!;
      const schema = new Map(m.manifest.tensors.map((t) => [t.name, [...t.shape]] as const));
      const evaluator = createTrainingLossEvaluator({
        config: m.config,
        schema,
        backend: createNodeBackend('cpu'),
      });
      const judge = new ContributionJudge({
        chainId: ledger.chainId,
        secret: randomBytes(32),
        evaluator,
        validationPool: training.validation,
        createHash: nodeSha256,
        ...(training.poc ? { config: training.poc } : {}),
      });
      rounds = await FederatedRounds.open({
        coordinator: c,
        dataDir,
        ledger,
        judge,
        evaluator,
        validation: training.validation,
        log,
        ...(training.settings ? { settings: training.settings } : {}),
        ...(training.faults ? { faults: training.faults } : {}),
      });
    }
  } catch (e) {
    clearInterval(sealer);
    await c.close();
    await ledger?.close();
    throw e;
  }
  return {
    coordinator: c,
    rounds,
    ledger,
    payouts,
    async close() {
      clearInterval(sealer);
      await c.close();
      await payouts?.flush();
      await ledger?.close();
    },
  };
}
