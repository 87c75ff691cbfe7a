/** One accepted update of a round. Amounts in base units (1 ALC = 1e8). */
export interface AcceptedUpdate {
  /** connection id (hex public key) */
  worker: string;
  address: string;
  samples: number;
  lossBonus: number;
  reward: bigint;
}

/** One rejected (or missing) update of a round. */
export interface RejectedUpdate {
  worker: string;
  address: string;
  /** PoC rejection code, `timeout` (no update by the deadline) or `failed` (the trainer reported a failure) */
  reason: string;
  message: string;
}

/** What a federated round did. */
export interface RoundReport {
  round: number;
  model: string;
  status: 'aggregated' | 'unchanged';
  /** trainers sent a task */
  clients: number;
  accepted: AcceptedUpdate[];
  rejected: RejectedUpdate[];
  /** mean next-token loss on the coordinator's validation set (nats/token): base model, then the new global model */
  validationLoss: { before: number; after: number };
  /** base units minted for this round */
  minted: bigint;
  /** manifest sha256 of the model served after the round */
  version: string;
  ledgerHeight: number;
  seconds: number;
}

/** Progress while a round runs. */
export type RoundProgress =
  | { type: 'started'; round: number; clients: number }
  | {
      type: 'update';
      round: number;
      worker: string;
      accepted: boolean;
      reason: string | null;
      done: number;
      total: number;
    }
  | { type: 'aggregated'; round: number }
  | { type: 'finished'; report: RoundReport };
