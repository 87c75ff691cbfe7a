/**
 * `@ailo/poc`: Proof-of-Contribution. Checks each federated update before it counts (signature,
 * replay, values and norm, n_k cap, rate limits, copies, held-out validation), computes rewards
 * in bigint base units and turns them into `@ailo/ledger` MINT transactions. Runs in Node and
 * browsers; the loss evaluator takes an injected `@ailo/pipeline` backend.
 * @module
 */
export { applyDelta } from './applyDelta';
export { ContributionJudge } from './ContributionJudge';
export { checkClaim, type SubmittedUpdate } from './checkClaim';
export { type ConsensusValue, checkConsensus } from './checkConsensus';
export { type CopyValue, checkCopy, type SketchReference } from './checkCopy';
export { checkFinite, type FiniteValue } from './checkFinite';
export { checkNorm, type NormValue } from './checkNorm';
export { checkNumSamplesCap, type NumSamplesValue } from './checkNumSamplesCap';
export {
  checkPayloadSize,
  maxUpdateBytes,
  maxUpdateHeaderBytes,
  type PayloadValue,
} from './checkPayloadSize';
export { checkAcceptedCap, checkRateLimit, type RateScope, type RateValue } from './checkRateLimit';
export { checkReplay, type ReplayValue, type ReplayView } from './checkReplay';
export {
  type Accept,
  accept,
  type CheckResult,
  type Reject,
  type RejectionCode,
  reject,
} from './checkResult';
export { checkSignature, type SignatureValue } from './checkSignature';
export { checkImprovement, checkValidationLoss, type LossValue, lossBonus } from './checkValidationLoss';
export {
  DEFAULT_POC_CONFIG,
  type PocConfig,
  type PocConfigInput,
  type RateWindow,
  resolvePocConfig,
} from './config';
export * from './constants';
export {
  type ContributionClaim,
  type ContributionProof,
  contributionSigningBytes,
  proofFromMetadata,
  proofToMetadata,
  signContribution,
} from './contributionProof';
export {
  CHECK_ORDER,
  type CheckName,
  type CheckRecord,
  type ContributionReport,
  completeChecks,
} from './contributionReport';
export { isPocError, PocError, type PocErrorCode, type PocErrorOptions } from './errors';
export { fedavgRejection } from './fedavgRejection';
export {
  type CompletedInference,
  type InferenceDenial,
  type InferenceHistory,
  InferenceRewarder,
  type InferenceSettlement,
  inferenceRewards,
} from './inferenceRewards';
export type {
  JudgeOptions,
  RoundSettlement,
  RoundSetup,
  SubmissionInput,
  SubmissionSource,
} from './judgeOptions';
export {
  type ChainLossOptions,
  checkSequences,
  createChainLossEvaluator,
  type LossEvaluator,
} from './LossEvaluator';
export { type LossSum, nextTokenLoss } from './nextTokenLoss';
export { RateLimiter } from './RateLimiter';
export { ReplayGuard } from './ReplayGuard';
export {
  type MintSigner,
  mintTransactions,
  type RewardMint,
  roundMints,
  trainingReference,
} from './rewardMints';
export { MIN_SECRET_BYTES, roundSeed } from './roundSeed';
export { type AcceptedContribution, type RewardLine, settleRound } from './settleRound';
export { median, tensorNorm } from './tensorNorm';
export { createTrainingLossEvaluator, type TrainingLossOptions } from './trainingLossEvaluator';
export {
  contributionScore,
  fastBonus,
  lossBonusBps,
  splitBudget,
  trainingReward,
  typicalTrainingReward,
} from './trainingReward';
export { cosine, type SketchPlan, sketchPlan, sketchUpdate } from './updateSketch';
export { type TokenSequences, validationSample } from './validationSample';
