import type { ClientUpdate, Sha256Factory, TensorSchema, Tensors } from '@ailo/fedavg';
import type { PocConfigInput } from './config';
import type { ContributionProof } from './contributionProof';
import type { ContributionReport } from './contributionReport';
import type { LossEvaluator } from './LossEvaluator';
import type { RewardMint } from './rewardMints';
import type { RewardLine } from './settleRound';
import type { TokenSequences } from './validationSample';

/** Options of a {@link ContributionJudge}. */
export interface JudgeOptions {
  /** ledger chain id, part of every signed contribution */
  chainId: string;
  /** coordinator secret (≥ 16 bytes): seeds validation subsamples and sketch coordinates */
  secret: Uint8Array;
  /** scores models on validation sequences (inject the backend here) */
  evaluator: LossEvaluator;
  /** the coordinator's held-out pool; each round draws `validation.sequences` of it */
  validationPool: TokenSequences;
  config?: PocConfigInput;
  /** default true; `false` reports the signature checks as skipped for unsigned updates (offline checks) */
  requireProof?: boolean;
  /** ms; default `Date.now` */
  clock?: () => number;
  /**
   * SHA-256 for model and update hashes; default `@noble/hashes` (portable). In Node,
   * `() => createHash('sha256')` from `node:crypto` gives the same digest about 25× faster.
   */
  createHash?: Sha256Factory;
}

/** What the judge needs to know about a round. */
export interface RoundSetup {
  round: number;
  /** modelHash(M_t); computed when omitted */
  base?: string;
  model: Tensors;
  schema: TensorSchema;
  /** samples the coordinator assigned to each client (identity → n) this round */
  assigned?: ReadonlyMap<string, number>;
  /** reference norm until the round has its own median (default: the previous round's median) */
  referenceNorm?: number;
}

/** Where a submission came from, as the transport saw it. */
export interface SubmissionSource {
  /** transport connection id */
  connection?: string;
  /** remote address */
  ip?: string;
  /** when the coordinator sent this client its task. ms, coordinator clock */
  taskSentAt?: number;
  /** identity to use when the update carries no proof */
  clientId?: string;
}

/** An update as received: an update file, or tensors with an optional proof. */
export type SubmissionInput =
  | { file: Uint8Array }
  | { update: ClientUpdate; round: number; base: string; proof?: ContributionProof; clientId?: string };

/** Rewards of a settled round. */
export interface RoundSettlement {
  round: number;
  /** one line per accepted contribution */
  lines: RewardLine[];
  /** the MINTs to issue (see `mintTransactions`) */
  mints: RewardMint[];
  /** every report of the round, final */
  reports: ContributionReport[];
}
