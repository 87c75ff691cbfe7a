/**
 * `@ailo/node/worker`: the parts of the reference node that run in browsers
 * as well as Node — the worker core (serving a span with per-session KV
 * caches), the trainer core (federated rounds), the ledger follower, the
 * reconnect loop, the node's message types, and the client side of
 * distributed inference (`RemotePipeline`, routing). No `node:` imports.
 * @module
 */
export {
  DEFAULT_HOP_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
  DEFAULT_WORKER_MAX_SESSIONS,
  MAX_REROUTES,
  MAX_STEP_LOGITS_BYTES,
  NODE_HEARTBEAT_TIMEOUT_MS,
  RECONNECT_BASE_MS,
  RECONNECT_MAX_MS,
} from './constants';
export {
  type FailoverEvent,
  type PipelineModel,
  RemotePipeline,
  type RemotePipelineOptions,
} from './coordinator/RemotePipeline';
export { type Hop, hopCost, missingSpans, routeChain } from './coordinator/routeChain';
export { SessionGate } from './coordinator/SessionGate';
export { type WorkerEntry, WorkerRegistry, type WorkerState } from './coordinator/WorkerRegistry';
export { isNodeError, NodeError, type NodeErrorCode, type NodeErrorOptions } from './errors';
export { type Log, SILENT_LOG } from './logging/log';
export {
  LedgerParamsBody,
  LedgerParamsDataBody,
  type NodeAssign,
  NodeAssignBody,
  type NodeJoin,
  NodeJoinBody,
  nodeRegistry,
  type RoundModel,
  RoundModelBody,
} from './wire/messages';
export { hostToWire, idsToWire, wireToHost } from './wire/tensors';
export { type HeldSpan, spanLabel } from './worker/core/HeldSpan';
export { LedgerFollower, type LedgerFollowerOptions } from './worker/core/LedgerFollower';
export { runWorkerLoop, type WorkerLoopOptions } from './worker/core/runWorkerLoop';
export { spanWeights } from './worker/core/spanWeights';
export {
  nonceFromWire,
  nonceToWire,
  TrainerCore,
  type TrainerCoreOptions,
  type TrainerEvent,
} from './worker/core/TrainerCore';
export { toProtocolError } from './worker/core/toProtocolError';
export { type SpanLoader, WorkerCore, type WorkerCoreOptions } from './worker/core/WorkerCore';
