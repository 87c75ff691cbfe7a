/**
 * `@ailo/node`: the reference node for Node — coordinator (WebSocket server,
 * routing, model distribution, federated rounds, ledger, OpenAI-compatible
 * HTTP API), worker, `ailo demo`, and the `ailo` CLI. The isomorphic parts
 * (worker core, trainer, ledger follower, `RemotePipeline`) are also
 * exported alone from `@ailo/node/worker` for browsers.
 * @module
 */

export { NODE_ROLE_FLAGS } from './cli/nodeFlags';
export { DEFAULT_BLOCK_INTERVAL_MS } from './constants';
export { Coordinator, type CoordinatorOptions, type HttpHandler } from './coordinator/Coordinator';
export { CoordinatorMetrics } from './coordinator/CoordinatorMetrics';
export {
  type CoordinatorState,
  type PendingRewards,
  readCoordinatorState,
  writeCoordinatorState,
} from './coordinator/coordinatorState';
export { loadServedModel, modelIdOf, openPackedDir } from './coordinator/loadServedModel';
export { modelPath, type ServedModel } from './coordinator/ServedModel';
export { ServerTracker } from './coordinator/ServerTracker';
export {
  type CoordinatorNode,
  type CoordinatorNodeOptions,
  DEFAULT_CHAIN_ID,
  startCoordinatorNode,
  type TrainingOptions,
} from './coordinator/startCoordinatorNode';
export {
  BROWN_GENRE_LIST,
  brownTrainingBatches,
  brownValidationPool,
  genreGroups,
  HOLDOUT_EVERY,
} from './data/brownShards';
export { corpusData, fileData, type TrainingData } from './data/trainingData';
export { DEMO_DEFAULTS, type DemoOptions } from './demo/DemoOptions';
export type { DemoSummary } from './demo/DemoSummary';
export { DEMO_CHAIN_ID, type DemoRun, runDemo } from './demo/runDemo';
export { type OpenAiRoutesOptions, openAiRoutes } from './http/openAiRoutes';
export { statusRoutes } from './http/statusRoutes';
export { findWebUiDir, webUiRoutes } from './http/webUiRoutes';
export { INFERENCE_FLUSH_MS, InferencePayouts, type ServedCompletion } from './ledger/InferencePayouts';
export { type LedgerSummary, RewardLedger } from './ledger/RewardLedger';
export { createLogger, type LoggerOptions } from './logging/createLogger';
export { createTinyModel, GPT2_VOCAB, type TinyModelShape, tinyGpt2Config } from './model/createTinyModel';
export { packWeights } from './model/packWeights';
export { readPackedWeights } from './model/readPackedWeights';
export { writeHfModel } from './model/writeHfModel';
export { buildCli } from './program';
export {
  DEFAULT_ROUND_SETTINGS,
  FederatedRounds,
  type FederatedRoundsOptions,
  type RoundFaults,
  type RoundSettings,
} from './rounds/FederatedRounds';
export { formatAlc } from './rounds/formatAlc';
export type { AcceptedUpdate, RejectedUpdate, RoundProgress, RoundReport } from './rounds/RoundReport';
export { VERSION } from './version';
export * from './worker';
export { httpSpanLoader, loadModelOverHttp, openRemoteModel } from './worker/node/loadSpanOverHttp';
export {
  connectWs,
  type RunningWorker,
  startWorker,
  type WorkerOptions,
  type WorkerTraining,
} from './worker/node/startWorker';
