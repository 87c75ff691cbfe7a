import type { TensorSchema, Tensors } from '@ailo/fedavg';
import type { SketchReference } from './checkCopy';
import type { ContributionProof } from './contributionProof';
import type { CheckRecord, ContributionReport } from './contributionReport';
import type { SubmissionSource } from './judgeOptions';
import type { SketchPlan } from './updateSketch';
import type { TokenSequences } from './validationSample';

/** An update announced by `expect`, waiting for the validator hook. */
export interface Pending {
  proof: ContributionProof | undefined;
  preChecks: CheckRecord[];
  source: SubmissionSource;
  receivedAt: number;
}

/** What the judge keeps of an accepted update until settlement. */
export interface AcceptedRecord {
  /** false when the update earns nothing (no improvement) */
  eligible: boolean;
  norm: number;
  deltaHash: string;
  numSamples: number;
  lossBonus: number;
  elapsedMs: number | undefined;
  sketch: Float32Array;
}

/** Everything the judge knows about the open round. */
export interface RoundState {
  round: number;
  base: string;
  model: Tensors;
  schema: TensorSchema;
  modelNorm: number;
  assigned: ReadonlyMap<string, number> | undefined;
  referenceNorm: number | undefined;
  sample: TokenSequences;
  baseLoss?: Promise<number>;
  plan: SketchPlan;
  /** sketches of this round's accepted and in-flight submissions, by client (a rejected one is dropped) */
  live: Map<string, SketchReference>;
  acceptedNorms: number[];
  /** element-wise sum of the accepted updates' sketches, and how many (the consensus) */
  consensusSum: Float64Array;
  consensusCount: number;
  perConnection: Map<string, number>;
  perIp: Map<string, number>;
  pending: Map<string, Pending>;
  reports: Map<string, ContributionReport>;
  accepted: Map<string, AcceptedRecord>;
  scratch?: Map<string, Float32Array>;
}
