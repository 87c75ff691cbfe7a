/**
 * One federated round with Proof-of-Contribution, from code: four honest clients train a tiny
 * GPT-2 on their own Brown-corpus genre, an attacker scales its update ×1000, a copier resubmits
 * an honest update under its own key. `@ailo/poc` judges every update as the validator of
 * `@ailo/fedavg`'s round; the accepted ones are averaged and paid with `@ailo/ledger` MINTs.
 *
 *   npx tsx --conditions=source src/main.ts
 */
import { pathToFileURL } from 'node:url';
import { modelHash, Round, type RoundResult } from '@ailo/fedavg';
import { formatAlc } from '@ailo/ledger';
import { createNodeBackend } from '@ailo/pipeline/node';
import {
  ContributionJudge,
  type ContributionReport,
  createChainLossEvaluator,
  type RoundSettlement,
  signContribution,
} from '@ailo/poc';
import { clientShard, heldOutPool } from './brownShards';
import { type GlobalModel, tinyGpt2 } from './globalModel';
import { type MintedRewards, mintOnLedger } from './mintOnLedger';
import { demoKey, type Participant, participants } from './participants';
import { type LocalUpdate, trainClient } from './trainClient';

/** Chain id the contribution proofs and MINTs are signed for. */
export const CHAIN_ID = 'ailo-example';
/** Local training batches per client (of 4 × 32 tokens). */
export const LOCAL_BATCHES = 4;

/** One submission and what the judge said about it. */
export interface Submitted {
  participant: Participant;
  /** local training, for clients that trained */
  local: LocalUpdate | null;
  report: ContributionReport;
}

/** Everything {@link runFederatedRound} did. */
export interface FederatedRun {
  /** M_0, the round's base model */
  model: GlobalModel;
  submitted: Submitted[];
  result: RoundResult;
  settlement: RoundSettlement;
  /** mean next-token loss on the whole held-out pool before and after the round (nats/token) */
  lossBefore: number;
  lossAfter: number;
  ledger: MintedRewards;
}

/** Options of {@link runFederatedRound}. */
export interface FederatedRoundOptions {
  /** where output goes (default stdout) */
  write?: (text: string) => void;
}

/** Runs round 0 end to end and prints who was accepted, who was rejected and why, and the rewards. */
export async function runFederatedRound(opts: FederatedRoundOptions = {}): Promise<FederatedRun> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const backend = createNodeBackend('cpu');
  const coordinator = demoKey('coordinator');
  const clients = participants();
  const honestGenres = clients.filter((c) => c.behaviour === 'honest').map((c) => c.genre!);

  // Coordinator: the global model M_0, a secret held-out pool and a judge that is the round's validator.
  const model = tinyGpt2();
  const pool = heldOutPool(honestGenres, 4);
  const evaluator = createChainLossEvaluator({ config: model.config, schema: model.schema, backend });
  const judge = new ContributionJudge({
    chainId: CHAIN_ID,
    secret: new TextEncoder().encode('coordinator secret: never sent to clients'),
    evaluator,
    validationPool: pool, // each round scores updates on 8 sequences drawn from it with the secret
  });
  const base = modelHash(model.tensors, model.schema);
  judge.beginRound({ round: 0, base, model: model.tensors, schema: model.schema });
  const round = new Round({
    round: 0,
    base,
    model: model.tensors,
    schema: model.schema,
    deadline: Date.now() + 10 * 60_000,
    validator: judge.validator,
  });
  write(`round 0: base ${base.slice(0, 16)}…, GPT-2 2 layers d 32, vocab ${model.config.vocabSize}\n`);
  write(
    `held-out pool: ${pool.length} sequences × ${pool[0]!.length} tokens (genres ${honestGenres.join(', ')})\n\n`,
  );

  const submitted: Submitted[] = [];
  for (const participant of clients) {
    const taskSentAt = Date.now(); // clients train in parallel in a real round; here, one after another
    let local: LocalUpdate | null = null;
    let delta: Map<string, Float32Array>;
    let numSamples: number;
    if (participant.behaviour === 'copy') {
      const victim = submitted[0]!.local!;
      delta = nearCopy(victim.delta); // an exact copy would be caught as a replay (same hash)
      numSamples = victim.numSamples;
    } else {
      local = await trainClient(model, clientShard(participant.genre!, LOCAL_BATCHES, 1), backend);
      numSamples = local.numSamples;
      delta =
        participant.behaviour === 'scaled'
          ? new Map([...local.delta].map(([name, d]) => [name, d.map((x) => x * 1000)]))
          : local.delta;
    }
    // The client signs (round, base, hash of Δ, n_k, nonce) with its wallet key.
    const proof = signContribution(
      { round: 0, base, deltaHash: modelHash(delta, model.schema), numSamples, nonce: 1n },
      participant.key,
      CHAIN_ID,
    );
    const report = await judge.submit(
      round,
      { update: { delta, numSamples }, round: 0, base, proof },
      { connection: `ws-${participant.name}`, ip: participant.ip, taskSentAt },
    );
    submitted.push({ participant, local, report });
    write(`${describe(participant, local)}  ${verdict(report)}\n`);
  }

  const result = round.close();
  const settlement = judge.settle(result);
  const lossBefore = await evaluator.loss(model.tensors, pool);
  const lossAfter = await evaluator.loss(result.model, pool);
  write(
    `\naggregate: ${result.status}, ${result.clients} updates, ${result.numSamples} samples; ` +
      `held-out loss ${lossBefore.toFixed(3)} → ${lossAfter.toFixed(3)}\n`,
  );

  const ledger = await mintOnLedger(settlement.mints, coordinator, CHAIN_ID);
  write(
    `ledger: block ${ledger.block.header.height} with ${ledger.transactions.length} MINTs, ` +
      `verified by a second node: ${ledger.report.ok}\n`,
  );
  for (const { participant } of submitted) {
    write(`  ${participant.name.padEnd(8)} ${formatAlc(ledger.balanceOf(participant.key.address))} ALC\n`);
  }
  return { model, submitted, result, settlement, lossBefore, lossAfter, ledger };
}

function describe(p: Participant, local: LocalUpdate | null): string {
  const what =
    p.behaviour === 'copy'
      ? "alice's Δ + 1% noise"
      : `${p.genre}, loss ${local!.firstLoss.toFixed(2)} → ${local!.lastLoss.toFixed(2)}${p.behaviour === 'scaled' ? ', Δ × 1000' : ''}`;
  return `${p.name.padEnd(8)} ${what.padEnd(40)}`;
}

function verdict(r: ContributionReport): string {
  if (!r.accepted) return `rejected  ${r.reason}: ${r.message}`;
  const fast = r.reward.fastBonus > 0n ? ` + ${formatAlc(r.reward.fastBonus)} fast` : '';
  return `accepted  n_k ${r.numSamples}, LossBonus ${r.lossBonus.toFixed(3)}, reward ${formatAlc(r.reward.training)}${fast} ALC`;
}

/** Δ with ±1% multiplicative noise from a fixed-seed LCG: a new hash, cosine ≈ 1 to the original. */
function nearCopy(delta: Map<string, Float32Array>): Map<string, Float32Array> {
  let s = 12345;
  const noise = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return new Map([...delta].map(([name, d]) => [name, d.map((x) => x * (1 + 0.02 * noise()))]));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runFederatedRound();
}
