// The README example, verbatim between the markers (readme.test.ts checks both stay identical).
// README-START
import { modelHash, Round } from '@ailo/fedavg';
import { formatAlc, type KeyPair } from '@ailo/ledger';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import {
  ContributionJudge,
  createTrainingLossEvaluator,
  mintTransactions,
  signContribution,
} from '@ailo/poc';

export async function judgeOneUpdate(
  modelDir: string,
  heldOut: number[][], // the coordinator's secret validation pool (token ids)
  client: KeyPair,
  coordinator: KeyPair,
  delta: Map<string, Float32Array>, // Δ = M_t − M_k from the client's local training
) {
  // coordinator: this round's model and a judge that is the round's validator
  const { config, weights } = loadModelDir(modelDir);
  const schema = new Map([...weights].map(([name, w]) => [name, w.shape]));
  const model = new Map([...weights].map(([name, w]) => [name, w.data]));
  const judge = new ContributionJudge({
    chainId: 'ailo-local',
    secret: crypto.getRandomValues(new Uint8Array(32)),
    evaluator: createTrainingLossEvaluator({ config, schema, backend: createNodeBackend('cpu') }),
    validationPool: heldOut,
  });
  judge.beginRound({ round: 0, model, schema });
  const round = new Round({
    round: 0,
    model,
    schema,
    deadline: Date.now() + 60_000,
    validator: judge.validator,
  });

  // client: sign (round, base hash, update hash, n_k, nonce) with the wallet key
  const claim = {
    round: 0,
    base: round.base,
    deltaHash: modelHash(delta, schema),
    numSamples: 32,
    nonce: 1n,
  };
  const proof = signContribution(claim, client, 'ailo-local');

  // coordinator: check, aggregate, settle, mint
  const update = { delta, numSamples: 32 };
  const report = await judge.submit(
    round,
    { update, round: 0, base: round.base, proof },
    { ip: '203.0.113.5' },
  );
  console.log(
    report.accepted ? `accepted: ${formatAlc(report.reward.total)} ALC` : `rejected: ${report.reason}`,
  );
  const settlement = judge.settle(round.close());
  return mintTransactions(settlement.mints, { coordinator, chainId: 'ailo-local', firstNonce: 0n });
}
// README-END
