/**
 * Thresholds and reward constants of Proof-of-Contribution. "Design §PoC n" refers to the
 * numbered checks of the Proof-of-Contribution section of DESIGN.md; the rest names its
 * reason. Every default here can be overridden through {@link PocConfigInput}.
 */

/** Base units per ALC (`@ailo/ledger` spec §1 Units): every reward is a bigint of base units. */
export const UNITS_PER_ALC = 100_000_000n;

// ---- signatures and replay (Design §PoC 1) ----

/** Domain tag of the bytes a client signs for a contribution. ASCII */
export const CONTRIBUTION_DOMAIN = 'ailo-poc-contribution-v1';

/** Update-file `__metadata__` key: the signer's `ailo1…` address. */
export const META_SIGNER = 'poc_signer';

/** Update-file `__metadata__` key: the signed update hash (modelHash of Δ_k), 64 lowercase hex digits. */
export const META_UPDATE_HASH = 'poc_update_hash';

/** Update-file `__metadata__` key: the contribution nonce, a decimal u64. */
export const META_NONCE = 'poc_nonce';

/** Update-file `__metadata__` key: the Ed25519 signature, 128 lowercase hex digits. */
export const META_SIGNATURE = 'poc_signature';

/** Rounds for which accepted update sketches are kept to catch replays of slightly altered old updates. */
export const DEFAULT_REPLAY_ROUNDS = 4;

/** Update hashes remembered across rounds (oldest forgotten first); 64 hex chars each. */
export const DEFAULT_REPLAY_MEMORY = 1_000_000;

// ---- values and norm (Design §PoC 2) ----

/** Lower norm bound as a fraction of the round's median norm: below it an update is a free rider. */
export const DEFAULT_NORM_LO = 0.1;

/** Upper norm bound as a multiple of the round's median norm (a ×1000 scaled update is far above). */
export const DEFAULT_NORM_HI = 10;

/** Accepted norms needed in a round before its own median is the reference (else the previous round's). */
export const DEFAULT_NORM_MIN_REFERENCE = 3;

/**
 * ‖Δ‖ / ‖M_t‖ below this is a zero update whatever the round's median: honest local training
 * moves weights by ~1e-4…1e-1 of their norm.
 */
export const DEFAULT_MIN_RELATIVE_TO_MODEL = 1e-6;

// ---- held-out validation (Design §PoC 3) ----

/** Sequences of the secret validation pool drawn per round (the demo uses 8 × 64 tokens). */
export const DEFAULT_VALIDATION_SEQUENCES = 8;

/**
 * Relative validation-loss increase tolerated when Δ_k is applied alone: an honest client on
 * non-IID data may slightly raise the loss on a mixed held-out set. 0.01 = 1 %.
 */
export const DEFAULT_LOSS_TOLERANCE = 0.01;

/**
 * Relative loss reduction an accepted update must exceed to earn anything ("a contribution
 * earns coins only when the coordinator has checked that it really improves the model").
 */
export const DEFAULT_MIN_REWARDED_REDUCTION = 0;

/** LossBonus = min(cap, gain × relative loss reduction): a 2.5 % reduction earns a 0.25 bonus. */
export const DEFAULT_LOSS_BONUS_GAIN = 10;

/** LossBonus is capped at this (the reward at most doubles). */
export const DEFAULT_LOSS_BONUS_CAP = 1;

/** Step applied when evaluating Δ_k alone: candidate = M_t − scale · Δ_k (classic FedAvg η = 1). */
export const DEFAULT_STEP_SCALE = 1;

// ---- free riding and copying (Design §PoC 4) ----

/** Cosine similarity above which an update is a copy (of another submission or the last global step). */
export const DEFAULT_MAX_COSINE = 0.99;

/**
 * Coordinates sampled (secretly, per round) to compare updates: a sketch is this many
 * float32 values, so comparing costs O(sketch), not O(model). Standard error of a cosine
 * estimate is ≈ 1/√size ≈ 0.004 (far below the gap between honest
 * updates, |cos| ≲ 0.9, and copies, cos > 0.99). 256 KiB per kept sketch.
 */
export const DEFAULT_SKETCH_SIZE = 65_536;

/**
 * Least cosine between an update and the mean of the round's other accepted updates. Measured
 * on 20 Brown-genre clients (GPT-2 4 layers, d 128, SGD from a random init): honest updates
 * 0.54…0.94 at lr 0.2 and −0.04…0.82 at an over-aggressive lr 0.5; sign-flipped ones the negatives.
 */
export const DEFAULT_MIN_CONSENSUS_COSINE = 0;

/** Accepted updates needed in the mean before the consensus check applies (online and at settlement). */
export const DEFAULT_CONSENSUS_MIN_OTHERS = 3;

// ---- rate limits and n_k (Design §PoC 4) ----

/** Largest n_k accepted when the coordinator assigned no data to the client. samples */
export const DEFAULT_MAX_NUM_SAMPLES = 65_536;

/** Submissions one identity may attempt per window. */
export const DEFAULT_IDENTITY_ATTEMPTS = 3;

/** Submissions one connection may attempt per window. */
export const DEFAULT_CONNECTION_ATTEMPTS = 6;

/** Submissions one IP address may attempt per window (several nodes may share a NAT). */
export const DEFAULT_IP_ATTEMPTS = 24;

/** Sliding window of the attempt limits. ms */
export const DEFAULT_RATE_WINDOW_MS = 60_000;

/** Accepted updates per connection per round: one connection serves one identity. */
export const DEFAULT_MAX_ACCEPTED_PER_CONNECTION = 1;

/** Accepted updates per IP address per round (the demo runs 4 workers on one host). */
export const DEFAULT_MAX_ACCEPTED_PER_IP = 4;

// ---- payload ----

/** Safetensors header bytes allowed for an update file: base allowance. bytes */
export const PAYLOAD_HEADER_BASE_BYTES = 16_384;

/** Safetensors header bytes allowed for an update file: per tensor of the schema. bytes */
export const PAYLOAD_HEADER_PER_TENSOR_BYTES = 512;

// ---- rewards (Design §PoC, "Reward = BaseRate × BatchSize × (1 + LossBonus)") ----

/** The n_k of a typical accepted submission (e.g. 4 local steps of 8 sequences). samples */
export const TYPICAL_NUM_SAMPLES = 32;

/** The LossBonus of a typical accepted submission (a 2.5 % loss reduction at gain 10). */
export const TYPICAL_LOSS_BONUS = 0.25;

/** What a typical accepted submission earns: 0.1 ALC (Design §PoC). base units */
export const TYPICAL_TRAINING_REWARD = UNITS_PER_ALC / 10n;

/**
 * BaseRate per sample, calibrated so that TYPICAL_NUM_SAMPLES × (1 + TYPICAL_LOSS_BONUS)
 * earns TYPICAL_TRAINING_REWARD: 0.1 ALC / (32 × 1.25) = 0.0025 ALC. base units per sample
 */
export const DEFAULT_BASE_RATE = 250_000n;

/** Fast bonus: +0.05 ALC for an accepted update received within the window (Design §PoC). base units */
export const DEFAULT_FAST_BONUS = UNITS_PER_ALC / 20n;

/** Fast-bonus window between the coordinator sending the task and receiving the update. ms */
export const DEFAULT_FAST_WINDOW_MS = 5_000;

/** Reward of each node that served a completed distributed inference: 0.05 ALC (Design §PoC). base units */
export const DEFAULT_INFERENCE_REWARD = UNITS_PER_ALC / 20n;

/** Rewarded completions one requester may cause per window (so a requester cannot farm its friends). */
export const DEFAULT_INFERENCE_PER_REQUESTER = 60;

/** Rewards one (requester, server) pair may produce per window (two colluding identities). */
export const DEFAULT_INFERENCE_PER_PAIR = 10;

/** Window of the inference limits: one hour. ms */
export const DEFAULT_INFERENCE_WINDOW_MS = 3_600_000;

/** LossBonus is quantised to basis points before any bigint arithmetic. */
export const BPS = 10_000n;
