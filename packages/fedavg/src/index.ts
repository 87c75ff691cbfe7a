export type { AggregateResult, Aggregator, RuleName } from './Aggregator';
export {
  BufferedAggregator,
  type BufferedRuleOptions,
  type KrumOptions,
  type MedianOptions,
  type RobustRuleOptions,
  type TrimmedMeanOptions,
} from './BufferedAggregator';
export { checkSchema, elementCount } from './checkSchema';
export { checkTensors } from './checkTensors';
export { type CheckUpdateOptions, checkNumSamples, checkUpdate } from './checkUpdate';
export { clipByNorm, clipFactor } from './clipByNorm';
export {
  type CompressedTensor,
  compressTensor,
  decompressTensor,
  decompressUpdate,
  ErrorFeedbackCompressor,
  type UpdateCodec,
} from './compression/ErrorFeedback';
export { decodeFp16, encodeFp16 } from './compression/fp16';
export { decodeInt8, encodeInt8, type Int8Blocks } from './compression/int8Block';
export * from './constants';
export { type AggregatorOptions, createAggregator } from './createAggregator';
export type { DpOptions, DpReport } from './differentialPrivacy';
export { FedAvgError, type FedAvgErrorCode, type FedAvgErrorOptions, isFedAvgError } from './errors';
export type { Precision } from './kernel/Accumulator';
export { simdAvailable, sumOfSquares } from './kernel/sumOfSquares';
export type { KernelBackend } from './kernel/WasmArena';
export { modelHash, nobleSha256, type Sha256Factory, type Sha256Hasher } from './modelHash';
export { AdaptiveOptimizer, type AdaptiveOptions } from './optimizers/AdaptiveOptimizer';
export { createServerOptimizer, type ServerOptimizerOptions } from './optimizers/createServerOptimizer';
export { FedAvgMOptimizer } from './optimizers/FedAvgMOptimizer';
export { FedAvgOptimizer } from './optimizers/FedAvgOptimizer';
export type { ServerOptimizer, ServerOptimizerName } from './optimizers/ServerOptimizer';
export {
  type CloseReason,
  type Contribution,
  Round,
  type RoundAggregated,
  type RoundOptions,
  type RoundPhase,
  type RoundResult,
  type RoundUnchanged,
  type Submission,
  type SubmitReceipt,
  type UpdateValidator,
  type ValidationContext,
  type ValidationVerdict,
} from './Round';
export { type RngSeed, SeededRng } from './SeededRng';
export { type FedAvgOptions, StreamingAggregator } from './StreamingAggregator';
export { decodeTensorFile, encodeTensorFile, type TensorFile, tensorsFromEntries } from './tensorFile';
export type { CheckedUpdate, ClientUpdate, TensorSchema, TensorShape, Tensors } from './types';
export {
  checkHash,
  checkRoundNumber,
  decodeUpdateFile,
  encodeUpdateFile,
  type UpdateFileContents,
} from './updateFile';
