import * as C from './constants';
import { PocError } from './errors';

/** At most `max` events per sliding window of `windowMs`. */
export interface RateWindow {
  max: number;
  /** ms */
  windowMs: number;
}

/** Every threshold of Proof-of-Contribution, in one place. Defaults: {@link DEFAULT_POC_CONFIG}. */
export interface PocConfig {
  /** check 2: norm bounds relative to the round's median norm */
  norm: {
    /** below lo × median: `free_rider` */
    lo: number;
    /** above hi × median: `norm_too_large` */
    hi: number;
    /** accepted norms before the round's own median is used */
    minReference: number;
    /** ‖Δ‖ / ‖M_t‖ below this: `free_rider` even without a median */
    minRelativeToModel: number;
  };
  /** check 3: held-out validation */
  validation: {
    /** sequences drawn from the secret pool per round */
    sequences: number;
    /** relative loss increase tolerated (0.01 = 1 %) */
    tolerance: number;
    /** relative loss reduction an accepted update must exceed to earn a reward */
    minRewardedReduction: number;
    /** LossBonus = min(bonusCap, bonusGain × relative reduction) */
    bonusGain: number;
    bonusCap: number;
    /** candidate = M_t − stepScale · Δ_k */
    stepScale: number;
  };
  /** check 5: copies and replays */
  copy: {
    /** cosine above this: `copied_update` */
    maxCosine: number;
    /** coordinates per sketch */
    sketchSize: number;
    /** earlier rounds whose accepted sketches are kept */
    replayRounds: number;
    /** update hashes remembered */
    replayMemory: number;
  };
  /** check 5: sign flips, against the mean of the round's other accepted updates */
  consensus: {
    minCosine: number;
    minOthers: number;
  };
  /** check 4: n_k cap when no data was assigned to the client. samples */
  maxNumSamples: number;
  /** check 4: attempt limits and per-round acceptance caps */
  rateLimits: {
    identity: RateWindow;
    connection: RateWindow;
    ip: RateWindow;
    maxAcceptedPerConnection: number;
    maxAcceptedPerIp: number;
  };
  /** base units unless noted */
  rewards: {
    /** BaseRate per sample */
    baseRate: bigint;
    fastBonus: bigint;
    /** ms */
    fastWindowMs: number;
    inference: bigint;
    /** fixed per-round budget split by score; absent = per-submission rewards */
    budgetPerRound?: bigint;
  };
  /** limits on inference rewards */
  inference: {
    perRequester: RateWindow;
    perPair: RateWindow;
  };
}

/** Deep-partial {@link PocConfig}, as accepted by {@link resolvePocConfig}. */
export type PocConfigInput = {
  [K in keyof PocConfig]?: PocConfig[K] extends bigint | number
    ? PocConfig[K]
    : {
        [L in keyof PocConfig[K]]?: PocConfig[K][L] extends RateWindow
          ? Partial<RateWindow>
          : PocConfig[K][L];
      };
};

const window = (max: number, windowMs: number): RateWindow => ({ max, windowMs });

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}

/** The documented defaults (see `constants.ts` for each value's reason); frozen. */
export const DEFAULT_POC_CONFIG: Readonly<PocConfig> = deepFreeze({
  norm: {
    lo: C.DEFAULT_NORM_LO,
    hi: C.DEFAULT_NORM_HI,
    minReference: C.DEFAULT_NORM_MIN_REFERENCE,
    minRelativeToModel: C.DEFAULT_MIN_RELATIVE_TO_MODEL,
  },
  validation: {
    sequences: C.DEFAULT_VALIDATION_SEQUENCES,
    tolerance: C.DEFAULT_LOSS_TOLERANCE,
    minRewardedReduction: C.DEFAULT_MIN_REWARDED_REDUCTION,
    bonusGain: C.DEFAULT_LOSS_BONUS_GAIN,
    bonusCap: C.DEFAULT_LOSS_BONUS_CAP,
    stepScale: C.DEFAULT_STEP_SCALE,
  },
  copy: {
    maxCosine: C.DEFAULT_MAX_COSINE,
    sketchSize: C.DEFAULT_SKETCH_SIZE,
    replayRounds: C.DEFAULT_REPLAY_ROUNDS,
    replayMemory: C.DEFAULT_REPLAY_MEMORY,
  },
  consensus: {
    minCosine: C.DEFAULT_MIN_CONSENSUS_COSINE,
    minOthers: C.DEFAULT_CONSENSUS_MIN_OTHERS,
  },
  maxNumSamples: C.DEFAULT_MAX_NUM_SAMPLES,
  rateLimits: {
    identity: window(C.DEFAULT_IDENTITY_ATTEMPTS, C.DEFAULT_RATE_WINDOW_MS),
    connection: window(C.DEFAULT_CONNECTION_ATTEMPTS, C.DEFAULT_RATE_WINDOW_MS),
    ip: window(C.DEFAULT_IP_ATTEMPTS, C.DEFAULT_RATE_WINDOW_MS),
    maxAcceptedPerConnection: C.DEFAULT_MAX_ACCEPTED_PER_CONNECTION,
    maxAcceptedPerIp: C.DEFAULT_MAX_ACCEPTED_PER_IP,
  },
  rewards: {
    baseRate: C.DEFAULT_BASE_RATE,
    fastBonus: C.DEFAULT_FAST_BONUS,
    fastWindowMs: C.DEFAULT_FAST_WINDOW_MS,
    inference: C.DEFAULT_INFERENCE_REWARD,
  },
  inference: {
    perRequester: window(C.DEFAULT_INFERENCE_PER_REQUESTER, C.DEFAULT_INFERENCE_WINDOW_MS),
    perPair: window(C.DEFAULT_INFERENCE_PER_PAIR, C.DEFAULT_INFERENCE_WINDOW_MS),
  },
});

function bad(path: string, value: unknown, expected: string): never {
  throw new PocError('INVALID_CONFIG', `Config "${path}" must be ${expected}.`, {
    details: `Got ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)}.`,
    meta: { path },
  });
}

function num(
  path: string,
  v: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  exclusiveMin = false,
): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (exclusiveMin && v === min)) {
    bad(path, v, `a finite number in ${exclusiveMin ? '(' : '['}${min}, ${max}]`);
  }
  return v;
}

function int(path: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) bad(path, v, `an integer ≥ ${min}`);
  return v;
}

function units(path: string, v: unknown): bigint {
  if (typeof v !== 'bigint' || v < 0n) bad(path, v, 'a non-negative bigint of base units');
  return v;
}

function rate(path: string, base: RateWindow, v: Partial<RateWindow> | undefined): RateWindow {
  return {
    max: int(`${path}.max`, v?.max ?? base.max, 0),
    windowMs: int(`${path}.windowMs`, v?.windowMs ?? base.windowMs, 1),
  };
}

/**
 * Merges `input` over {@link DEFAULT_POC_CONFIG} and validates every value.
 * @throws PocError `INVALID_CONFIG`
 */
export function resolvePocConfig(input: PocConfigInput = {}): PocConfig {
  if (typeof input !== 'object' || input === null) bad('', input, 'an object');
  const d = DEFAULT_POC_CONFIG;
  const n = { ...d.norm, ...input.norm };
  const v = { ...d.validation, ...input.validation };
  const c = { ...d.copy, ...input.copy };
  const k = { ...d.consensus, ...input.consensus };
  const r = input.rateLimits ?? {};
  const w = { ...d.rewards, ...input.rewards };
  const inf = input.inference ?? {};
  const config: PocConfig = {
    norm: {
      lo: num('norm.lo', n.lo, 0, 1),
      hi: num('norm.hi', n.hi, 1),
      minReference: int('norm.minReference', n.minReference, 1),
      minRelativeToModel: num('norm.minRelativeToModel', n.minRelativeToModel, 0, 1),
    },
    validation: {
      sequences: int('validation.sequences', v.sequences, 1),
      tolerance: num('validation.tolerance', v.tolerance, 0, 1),
      minRewardedReduction: num('validation.minRewardedReduction', v.minRewardedReduction, -1, 1),
      bonusGain: num('validation.bonusGain', v.bonusGain, 0),
      bonusCap: num('validation.bonusCap', v.bonusCap, 0, 100),
      stepScale: num('validation.stepScale', v.stepScale, 0, Number.POSITIVE_INFINITY, true),
    },
    copy: {
      maxCosine: num('copy.maxCosine', c.maxCosine, 0, 1),
      sketchSize: int('copy.sketchSize', c.sketchSize, 1),
      replayRounds: int('copy.replayRounds', c.replayRounds, 0),
      replayMemory: int('copy.replayMemory', c.replayMemory, 1),
    },
    consensus: {
      minCosine: num('consensus.minCosine', k.minCosine, -1, 1),
      minOthers: int('consensus.minOthers', k.minOthers, 1),
    },
    maxNumSamples: int('maxNumSamples', input.maxNumSamples ?? d.maxNumSamples, 1),
    rateLimits: {
      identity: rate('rateLimits.identity', d.rateLimits.identity, r.identity),
      connection: rate('rateLimits.connection', d.rateLimits.connection, r.connection),
      ip: rate('rateLimits.ip', d.rateLimits.ip, r.ip),
      maxAcceptedPerConnection: int(
        'rateLimits.maxAcceptedPerConnection',
        r.maxAcceptedPerConnection ?? d.rateLimits.maxAcceptedPerConnection,
        1,
      ),
      maxAcceptedPerIp: int(
        'rateLimits.maxAcceptedPerIp',
        r.maxAcceptedPerIp ?? d.rateLimits.maxAcceptedPerIp,
        1,
      ),
    },
    rewards: {
      baseRate: units('rewards.baseRate', w.baseRate),
      fastBonus: units('rewards.fastBonus', w.fastBonus),
      fastWindowMs: int('rewards.fastWindowMs', w.fastWindowMs, 0),
      inference: units('rewards.inference', w.inference),
    },
    inference: {
      perRequester: rate('inference.perRequester', d.inference.perRequester, inf.perRequester),
      perPair: rate('inference.perPair', d.inference.perPair, inf.perPair),
    },
  };
  if (w.budgetPerRound !== undefined)
    config.rewards.budgetPerRound = units('rewards.budgetPerRound', w.budgetPerRound);
  return config;
}
