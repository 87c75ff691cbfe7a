/**
 * A coordinator, honest clients and the helpers the attack suite shares: the tiny GPT-2 world
 * of `tinyWorld.ts`, honest updates from real SGD steps, signed proofs, one fedavg `Round` per
 * test with the judge as its validator.
 */
import { type ClientUpdate, modelHash, Round, type RoundResult } from '@ailo/fedavg';
import { generateKeyPair, type KeyPair, keyPairFromSecretKey } from '@ailo/ledger';
import type { Backend } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import {
  applyDelta,
  ContributionJudge,
  type ContributionProof,
  type ContributionReport,
  createTrainingLossEvaluator,
  type ContributionJudge as Judge,
  type LossEvaluator,
  type PocConfigInput,
  type RoundSettlement,
  type SubmissionSource,
  signContribution,
} from '../src/index';
import { LocalTrainer, type ModelTensors } from './localTraining';
import { randomGpt2, sequences, type TinyModel, validationPool } from './tinyWorld';

export const CHAIN_ID = 'ailo-test';
export const SECRET = new TextEncoder().encode('coordinator secret for tests!!');
export const HONEST = 5;
/** honest local training: 32 sequences, batches of 8, one epoch, SGD lr 0.1 */
export const LOCAL = { sequences: 32, batch: 8, lr: 0.1 };

/** A deterministic key per name (tests must be reproducible). */
export function keyFor(name: string): KeyPair {
  const seed = new Uint8Array(32);
  const b = new TextEncoder().encode(name);
  seed.set(b.subarray(0, 32));
  seed[31] = b.length;
  return keyPairFromSecretKey(seed);
}

export interface World {
  tiny: TinyModel;
  base: string;
  backend: Backend;
  evaluator: LossEvaluator;
  trainer: LocalTrainer;
  pool: number[][];
  /** loss of M_0 on the whole held-out pool */
  baseLoss: number;
  honestKeys: KeyPair[];
  /** honest round-0 updates, trained on each client's own data */
  honest: { delta: ModelTensors; numSamples: number }[];
}

export async function createWorld(): Promise<World> {
  const tiny = randomGpt2({
    model_type: 'gpt2',
    n_layer: 2,
    n_head: 4,
    n_embd: 32,
    n_positions: 16,
    vocab_size: 12,
  });
  const backend = createNodeBackend('cpu');
  const evaluator = createTrainingLossEvaluator({ config: tiny.config, schema: tiny.schema, backend });
  const trainer = await LocalTrainer.create(tiny.config, tiny.schema, tiny.model, backend, LOCAL.batch, 16);
  const pool = validationPool(64);
  const honestKeys = Array.from({ length: HONEST }, (_, k) => keyFor(`honest-${k}`));
  const honest = [];
  for (let k = 0; k < HONEST; k++) {
    const data = sequences(`client-${k}-round-0`, LOCAL.sequences, k);
    const { delta, numSamples } = await trainer.train(tiny.model, tiny.schema, data, { lr: LOCAL.lr });
    honest.push({ delta, numSamples });
  }
  return {
    tiny,
    base: modelHash(tiny.model, tiny.schema),
    backend,
    evaluator,
    trainer,
    pool,
    baseLoss: await evaluator.loss(tiny.model, pool),
    honestKeys,
    honest,
  };
}

/** A judge with a fresh memory; `config` overrides the defaults (16 validation sequences by default here). */
export function newJudge(w: World, config: PocConfigInput = {}, clock?: () => number): Judge {
  return new ContributionJudge({
    chainId: CHAIN_ID,
    secret: SECRET,
    evaluator: w.evaluator,
    validationPool: w.pool,
    config: { ...config, validation: { sequences: 16, ...config.validation } },
    ...(clock ? { clock } : {}),
  });
}

const nonces = new Map<string, bigint>();

/** Signs `update` for (round, base) with `key` and the key's next nonce. */
export function prove(
  key: KeyPair,
  update: ClientUpdate,
  round: number,
  base: string,
  schema: ReadonlyMap<string, readonly number[]>,
  over: Partial<{ numSamples: number; deltaHash: string; base: string; round: number }> = {},
): ContributionProof {
  const nonce = (nonces.get(key.address) ?? 0n) + 1n;
  nonces.set(key.address, nonce);
  return signContribution(
    {
      round: over.round ?? round,
      base: over.base ?? base,
      deltaHash: over.deltaHash ?? modelHash(update.delta, schema),
      numSamples: over.numSamples ?? update.numSamples,
      nonce,
    },
    key,
    CHAIN_ID,
  );
}

/** A round over `model` whose validator is the judge's hook (deadline far away; closed manually). */
export function openRound(
  judge: Judge,
  w: World,
  round = 0,
  model: ModelTensors = w.tiny.model,
  assigned?: Map<string, number>,
): Round {
  const base = modelHash(model, w.tiny.schema);
  judge.beginRound({ round, base, model, schema: w.tiny.schema, ...(assigned ? { assigned } : {}) });
  return new Round({
    round,
    base,
    model,
    schema: w.tiny.schema,
    deadline: Number.MAX_SAFE_INTEGER,
    validator: judge.validator,
  });
}

/** Submits the honest round-0 updates (each from its own connection and IP). */
export async function submitHonest(
  judge: Judge,
  round: Round,
  w: World,
  source: (k: number) => SubmissionSource = (k) => ({ connection: `c${k}`, ip: `10.0.0.${k}` }),
): Promise<ContributionReport[]> {
  const out = [];
  for (let k = 0; k < HONEST; k++) {
    const update = { delta: w.honest[k]!.delta, numSamples: w.honest[k]!.numSamples };
    const proof = prove(w.honestKeys[k]!, update, round.round, round.base, w.tiny.schema);
    out.push(await judge.submit(round, { update, round: round.round, base: round.base, proof }, source(k)));
  }
  return out;
}

/** Submits `update` signed by `key` (the usual attacker path: a valid proof of its own). */
export function submitSigned(
  judge: Judge,
  round: Round,
  w: World,
  key: KeyPair,
  update: ClientUpdate,
  source: SubmissionSource = {
    connection: `conn-${key.address.slice(-6)}`,
    ip: `192.168.0.${key.publicKey[0]}`,
  },
): Promise<ContributionReport> {
  const proof = prove(key, update, round.round, round.base, w.tiny.schema);
  return judge.submit(round, { update, round: round.round, base: round.base, proof }, source);
}

export interface Closed {
  result: RoundResult;
  settlement: RoundSettlement;
  /** loss of the new model on the whole held-out pool */
  loss: number;
  rewardOf(address: string): bigint;
}

/** Closes the round, settles rewards and scores the aggregate on the held-out pool. */
export async function closeRound(judge: Judge, round: Round, w: World): Promise<Closed> {
  const result = round.close();
  const settlement = judge.settle(result);
  const loss = await w.evaluator.loss(result.model, w.pool);
  return {
    result,
    settlement,
    loss,
    rewardOf: (address) =>
      settlement.lines.filter((l) => l.recipient === address).reduce((a, l) => a + l.total, 0n),
  };
}

/** Δ scaled by `s` (a new map). */
export function scaled(delta: ModelTensors, s: number): ModelTensors {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of delta)
    out.set(
      k,
      v.map((x) => x * s),
    );
  return out;
}

/** Δ + Gaussian noise of relative size `rel` per element (a near-copy). */
export function perturbed(delta: ModelTensors, rel: number, seed: number): ModelTensors {
  let state = seed >>> 0 || 1;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const out = new Map<string, Float32Array>();
  for (const [k, v] of delta)
    out.set(
      k,
      v.map((x) => x + rel * Math.abs(x) * rand() * 3.46),
    );
  return out;
}

/** The model M − Δ. */
export function stepped(w: World, delta: ModelTensors): ModelTensors {
  return applyDelta(w.tiny.model, delta, w.tiny.schema, 1);
}

export { generateKeyPair };
