/**
 * The attack suite: each test runs a real round (5 honest clients trained with SGD on non-IID
 * data, the judge as the fedavg validator) with one attack; the attacker must earn 0 and the
 * aggregate must still lower the held-out validation loss.
 */
import { encodeTensorFile, encodeUpdateFile, modelHash, SeededRng } from '@ailo/fedavg';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContributionReport, maxUpdateBytes, proofToMetadata, signContribution } from '../src/index';
import {
  CHAIN_ID,
  type Closed,
  closeRound,
  createWorld,
  HONEST,
  keyFor,
  LOCAL,
  newJudge,
  openRound,
  perturbed,
  prove,
  scaled,
  submitHonest,
  submitSigned,
  type World,
} from './federation';
import { sequences } from './tinyWorld';

let w: World;

beforeAll(async () => {
  w = await createWorld();
});

/** What every attack test asserts about the round. */
function expectHonestRoundSurvives(closed: Closed, honest: ContributionReport[]): void {
  expect(closed.result.status).toBe('aggregated');
  for (const r of honest) expect(r.accepted, `${r.clientId}: ${r.reason} ${r.message}`).toBe(true);
  for (const k of w.honestKeys) expect(closed.rewardOf(k.address)).toBeGreaterThan(0n);
  expect(closed.loss).toBeLessThan(w.baseLoss);
}

describe('attacks: each attacker earns 0 and the aggregate still lowers validation loss', () => {
  it('update scaled ×1000 (after the honest ones: norm bound; first in the round: validation loss)', async () => {
    // the attacker trains honestly on its own data, then scales its update
    const own = await w.trainer.train(
      w.tiny.model,
      w.tiny.schema,
      sequences('scaler-data', LOCAL.sequences, 11),
      { lr: LOCAL.lr },
    );
    for (const first of [false, true]) {
      const judge = newJudge(w);
      const round = openRound(judge, w);
      const attacker = keyFor(`scaler-${first}`);
      const evil = { delta: scaled(own.delta, 1000), numSamples: LOCAL.sequences };
      let report: ContributionReport | undefined;
      if (first) report = await submitSigned(judge, round, w, attacker, evil);
      const honest = await submitHonest(judge, round, w);
      if (!first) report = await submitSigned(judge, round, w, attacker, evil);
      expect(report!.accepted).toBe(false);
      expect(report!.reason).toBe(first ? 'loss_increased' : 'norm_too_large');
      const closed = await closeRound(judge, round, w);
      expect(closed.rewardOf(attacker.address)).toBe(0n);
      expectHonestRoundSurvives(closed, honest);
    }
  });

  it('NaN / ±Infinity values (in memory and in an update file)', async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const honest = await submitHonest(judge, round, w);
    for (const [i, bad] of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].entries()) {
      const attacker = keyFor(`nan-${i}`);
      const delta = scaled(w.honest[1]!.delta, 1);
      delta.get('transformer.h.0.attn.c_attn.weight')![7] = bad;
      const update = { delta, numSamples: LOCAL.sequences };
      const mem = await submitSigned(judge, round, w, attacker, update);
      expect(mem).toMatchObject({ accepted: false, reason: 'non_finite' });
      const fileAttacker = keyFor(`nan-file-${i}`);
      const proof = prove(fileAttacker, update, 0, w.base, w.tiny.schema);
      const file = encodeTensorFile(delta, w.tiny.schema, {
        num_samples: String(LOCAL.sequences),
        round: '0',
        base: w.base,
        ...proofToMetadata(proof),
      });
      const viaFile = await judge.submit(round, { file }, { ip: '10.9.9.9' });
      expect(viaFile).toMatchObject({
        clientId: fileAttacker.address,
        accepted: false,
        reason: 'non_finite',
      });
    }
    const closed = await closeRound(judge, round, w);
    expect(closed.settlement.lines).toHaveLength(HONEST);
    expectHonestRoundSurvives(closed, honest);
  });

  it('sign-flipped update (after the honest ones: against the consensus; first in the round: validation loss)', async () => {
    // the attacker trains honestly on its own data, then submits −Δ (gradient ascent)
    const own = await w.trainer.train(
      w.tiny.model,
      w.tiny.schema,
      sequences('flipper-data', LOCAL.sequences, 7),
      {
        lr: LOCAL.lr,
      },
    );
    const flipped = { delta: scaled(own.delta, -1), numSamples: own.numSamples };
    for (const first of [false, true]) {
      const judge = newJudge(w);
      const round = openRound(judge, w);
      const attacker = keyFor(`flipper-${first}`);
      let report: ContributionReport | undefined;
      if (first) report = await submitSigned(judge, round, w, attacker, flipped);
      const honest = await submitHonest(judge, round, w);
      if (!first) report = await submitSigned(judge, round, w, attacker, flipped);
      expect(report!.reason).toBe(first ? 'loss_increased' : 'opposes_consensus');
      const closed = await closeRound(judge, round, w);
      expect(closed.rewardOf(attacker.address)).toBe(0n);
      expectHonestRoundSurvives(closed, honest);
    }
  });

  it('zero and near-zero updates (free riders), including one that arrives before any median exists', async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const early = keyFor('early-rider');
    // 1e-3 of a real update, submitted first: no median yet, and it does lower the loss a little
    const own = await w.trainer.train(
      w.tiny.model,
      w.tiny.schema,
      sequences('rider-data', LOCAL.sequences, 3),
      { lr: LOCAL.lr },
    );
    const earlyReport = await submitSigned(judge, round, w, early, {
      delta: scaled(own.delta, 1e-3),
      numSamples: LOCAL.sequences,
    });
    const honest = await submitHonest(judge, round, w);
    const zero = keyFor('zero-rider');
    const zeroReport = await submitSigned(judge, round, w, zero, {
      delta: scaled(w.honest[2]!.delta, 0),
      numSamples: LOCAL.sequences,
    });
    expect(zeroReport.reason).toBe('free_rider');
    const tiny = keyFor('tiny-rider');
    const tinyReport = await submitSigned(judge, round, w, tiny, {
      delta: scaled(w.honest[3]!.delta, 1e-4),
      numSamples: LOCAL.sequences,
    });
    expect(tinyReport.reason).toBe('free_rider');
    const closed = await closeRound(judge, round, w);
    for (const k of [early, zero, tiny]) expect(closed.rewardOf(k.address)).toBe(0n);
    // the early one was averaged in (harmless) but its reward is withheld against the final median
    expect(earlyReport.accepted).toBe(true);
    expect(judge.round).toBeUndefined();
    const settled = closed.settlement.reports.find((r) => r.clientId === early.address)!;
    expect(settled.rewardWithheld?.reason).toBe('free_rider');
    expect(settled.reward.total).toBe(0n);
    expectHonestRoundSurvives(closed, honest);
  });

  it("copy of another client's update (exact and with small noise)", async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const honest = await submitHonest(judge, round, w);
    const exact = keyFor('exact-copier');
    const exactReport = await submitSigned(judge, round, w, exact, {
      delta: w.honest[0]!.delta,
      numSamples: LOCAL.sequences,
    });
    expect(exactReport.reason).toBe('replayed_update');
    const noisy = keyFor('noisy-copier');
    const noisyReport = await submitSigned(judge, round, w, noisy, {
      delta: perturbed(w.honest[1]!.delta, 0.05, 9),
      numSamples: LOCAL.sequences,
    });
    expect(noisyReport.reason).toBe('copied_update');
    expect(
      (noisyReport.checks.find((c) => c.check === 'copy')!.value as { maxCosine: number }).maxCosine,
    ).toBeGreaterThan(0.99);
    const closed = await closeRound(judge, round, w);
    for (const k of [exact, noisy]) expect(closed.rewardOf(k.address)).toBe(0n);
    expectHonestRoundSurvives(closed, honest);
  });

  it('replay from an earlier round (original proof, re-signed, perturbed, and the last global step)', async () => {
    const judge = newJudge(w);
    const r0 = openRound(judge, w, 0);
    await submitHonest(judge, r0, w);
    const stolen = w.honest[0]!;
    const originalProof = prove(w.honestKeys[0]!, stolen, 0, w.base, w.tiny.schema);
    const c0 = await closeRound(judge, r0, w);
    expect(c0.result.status).toBe('aggregated');
    const m1 = c0.result.model as Map<string, Float32Array>;

    const r1 = openRound(judge, w, 1, m1);
    const update = { delta: stolen.delta, numSamples: stolen.numSamples };
    // (a) the original round-0 proof relabelled as round 1: the claim names round 0
    const a = await judge.submit(
      r1,
      { update, round: 1, base: r1.base, proof: originalProof },
      { ip: '172.16.0.1' },
    );
    expect(a).toMatchObject({ clientId: w.honestKeys[0]!.address, reason: 'wrong_round' });
    const honest1 = [];
    for (let k = 0; k < HONEST; k++) {
      const t = await w.trainer.train(
        m1,
        w.tiny.schema,
        sequences(`client-${k}-round-1`, LOCAL.sequences, k),
        { lr: LOCAL.lr / 2 }, // a decayed learning rate in the second round
      );
      const update = { delta: t.delta, numSamples: t.numSamples };
      honest1.push(
        await judge.submit(
          r1,
          {
            update,
            round: 1,
            base: r1.base,
            proof: prove(w.honestKeys[k]!, update, 1, r1.base, w.tiny.schema),
          },
          { ip: `10.0.0.${k}` },
        ),
      );
    }
    const attacker = keyFor('replayer');
    // (b) re-signed by the attacker for round 1: the update itself was seen in round 0
    const b = await submitSigned(judge, r1, w, attacker, update);
    expect(b.reason).toBe('replayed_update');
    // (c) a slightly altered copy of the old update: cosine to round 0's accepted updates
    const c = await submitSigned(judge, r1, w, keyFor('replayer-c'), {
      delta: perturbed(stolen.delta, 0.05, 3),
      numSamples: stolen.numSamples,
    });
    expect(c.reason).toBe('copied_update');
    // (d) the last global step itself
    const d = await submitSigned(judge, r1, w, keyFor('replayer-d'), {
      delta: (c0.result as { delta: Map<string, Float32Array> }).delta,
      numSamples: 32,
    });
    expect(d.reason).toBe('copied_update');
    expect(d.message).toMatch(/global step of round 0/);
    const closed = await closeRound(judge, r1, w);
    for (const k of ['replayer', 'replayer-c', 'replayer-d'])
      expect(closed.rewardOf(keyFor(k).address)).toBe(0n);
    expect(closed.rewardOf(w.honestKeys[0]!.address)).toBeGreaterThan(0n);
    for (const r of honest1) expect(r.accepted, `${r.reason} ${r.message}`).toBe(true);
    expect(closed.loss).toBeLessThan(c0.loss);
  });

  it('inflated n_k (above the assigned data, and above the configured maximum)', async () => {
    const attacker = keyFor('inflater');
    const assigned = new Map([
      ...w.honestKeys.map((k) => [k.address, LOCAL.sequences] as [string, number]),
      [attacker.address, LOCAL.sequences],
    ]);
    const judge = newJudge(w, { maxNumSamples: 4096 });
    const round = openRound(judge, w, 0, w.tiny.model, assigned);
    const honest = await submitHonest(judge, round, w);
    const own = await w.trainer.train(
      w.tiny.model,
      w.tiny.schema,
      sequences('inflater-data', LOCAL.sequences, 8),
      { lr: LOCAL.lr },
    );
    const report = await submitSigned(judge, round, w, attacker, {
      delta: own.delta,
      numSamples: 10 * LOCAL.sequences,
    });
    expect(report.reason).toBe('num_samples_exceeds_cap');
    const unassigned = keyFor('inflater-2');
    const report2 = await submitSigned(judge, round, w, unassigned, {
      delta: scaled(own.delta, 0.9),
      numSamples: 100_000,
    });
    expect(report2.reason).toBe('num_samples_exceeds_cap');
    const closed = await closeRound(judge, round, w);
    expect(closed.rewardOf(attacker.address) + closed.rewardOf(unassigned.address)).toBe(0n);
    expect(closed.result.numSamples).toBe(HONEST * LOCAL.sequences);
    expectHonestRoundSurvives(closed, honest);
  });

  it("Sybil: one machine's data across 10 identities earns no more than one identity (budget option; per-IP cap)", async () => {
    const machineData = sequences('sybil-machine', 10 * LOCAL.batch, 9);
    const budget = { rewards: { budgetPerRound: 10n ** 8n } };
    // the machine as one identity: 10 local steps over all its data
    const single = keyFor('machine-single');
    const whole = await w.trainer.train(w.tiny.model, w.tiny.schema, machineData, { lr: LOCAL.lr });
    const judge1 = newJudge(w, budget);
    const round1 = openRound(judge1, w);
    const honestA = await submitHonest(judge1, round1, w);
    const one = await submitSigned(
      judge1,
      round1,
      w,
      single,
      { delta: whole.delta, numSamples: whole.numSamples },
      { ip: '203.0.113.1' },
    );
    expect(one.accepted, `${one.reason} ${one.message}`).toBe(true);
    const closedA = await closeRound(judge1, round1, w);
    const singleReward = closedA.rewardOf(single.address);
    expect(singleReward).toBeGreaterThan(0n);
    expectHonestRoundSurvives(closedA, honestA);

    // the same machine as 10 identities behind 10 IPs: one batch each
    const sybils = Array.from({ length: 10 }, (_, i) => keyFor(`sybil-${i}`));
    const judge2 = newJudge(w, budget);
    const round2 = openRound(judge2, w);
    const honestB = await submitHonest(judge2, round2, w);
    for (const [i, key] of sybils.entries()) {
      const part = await w.trainer.train(
        w.tiny.model,
        w.tiny.schema,
        machineData.slice(i * LOCAL.batch, (i + 1) * LOCAL.batch),
        { lr: LOCAL.lr },
      );
      await submitSigned(
        judge2,
        round2,
        w,
        key,
        { delta: part.delta, numSamples: part.numSamples },
        { ip: `198.51.100.${i}` },
      );
    }
    const closedB = await closeRound(judge2, round2, w);
    const sybilTotal = sybils.reduce((a, k) => a + closedB.rewardOf(k.address), 0n);
    expect(sybilTotal).toBeLessThanOrEqual(singleReward);
    const minted = closedB.settlement.lines.reduce((a, l) => a + l.total, 0n);
    expect(minted).toBeLessThanOrEqual(10n ** 8n);
    expectHonestRoundSurvives(closedB, honestB);

    // without a budget, 10 identities from one IP: the per-IP acceptance cap stops them
    const judge3 = newJudge(w);
    const round3 = openRound(judge3, w);
    await submitHonest(judge3, round3, w);
    const reports = [];
    for (const [i, key] of sybils.entries()) {
      const part = await w.trainer.train(
        w.tiny.model,
        w.tiny.schema,
        machineData.slice(i * LOCAL.batch, (i + 1) * LOCAL.batch),
        { lr: LOCAL.lr },
      );
      reports.push(
        await submitSigned(
          judge3,
          round3,
          w,
          key,
          { delta: part.delta, numSamples: part.numSamples },
          { ip: '203.0.113.7', connection: `sybil-${i}` },
        ),
      );
    }
    expect(reports.filter((r) => r.accepted).length).toBeLessThanOrEqual(
      judge3.config.rateLimits.maxAcceptedPerIp,
    );
    expect(reports.some((r) => r.reason === 'rate_limited')).toBe(true);
    await closeRound(judge3, round3, w);
  });

  it('fast-bonus gaming: fast garbage earns nothing, slow honest work earns its reward without the bonus', async () => {
    let now = 1_000_000;
    const judge = newJudge(w, {}, () => now);
    const round = openRound(judge, w);
    const honest = [];
    for (let k = 0; k < HONEST; k++) {
      const taskSentAt = now;
      now += k < 2 ? 1_000 : 30_000; // clients 0 and 1 are fast and honest
      const update = { delta: w.honest[k]!.delta, numSamples: w.honest[k]!.numSamples };
      const proof = prove(w.honestKeys[k]!, update, 0, round.base, w.tiny.schema);
      honest.push(
        await judge.submit(
          round,
          { update, round: 0, base: round.base, proof },
          { ip: `10.0.0.${k}`, taskSentAt },
        ),
      );
    }
    const rng = new SeededRng(5);
    const garbage = new Map(
      [...w.honest[0]!.delta].map(([k, v]) => [k, v.map(() => 0.05 * rng.nextGaussian())]),
    );
    const gamer = keyFor('fast-gamer');
    const gamerTask = now;
    now += 50;
    const g = await judge.submit(
      round,
      {
        update: { delta: garbage, numSamples: 32 },
        round: 0,
        base: round.base,
        proof: prove(gamer, { delta: garbage, numSamples: 32 }, 0, round.base, w.tiny.schema),
      },
      { ip: '10.1.1.1', taskSentAt: gamerTask },
    );
    expect(g.elapsedMs).toBe(50);
    expect(g.reward.total).toBe(0n);
    const riderTask = now;
    now += 10;
    const rider = keyFor('fast-rider');
    const r = await judge.submit(
      round,
      {
        update: { delta: scaled(w.honest[0]!.delta, 1e-7), numSamples: 32 },
        round: 0,
        base: round.base,
        proof: prove(
          rider,
          { delta: scaled(w.honest[0]!.delta, 1e-7), numSamples: 32 },
          0,
          round.base,
          w.tiny.schema,
        ),
      },
      { ip: '10.1.1.2', taskSentAt: riderTask },
    );
    expect(r.reason).toBe('free_rider');
    const closed = await closeRound(judge, round, w);
    expect(closed.rewardOf(gamer.address)).toBe(0n);
    expect(closed.rewardOf(rider.address)).toBe(0n);
    const lines = new Map(closed.settlement.lines.map((l) => [l.recipient, l]));
    for (let k = 0; k < HONEST; k++) {
      const line = lines.get(w.honestKeys[k]!.address)!;
      expect(line.fastBonus).toBe(k < 2 ? judge.config.rewards.fastBonus : 0n);
      expect(line.training).toBeGreaterThan(0n);
    }
    expect(closed.settlement.mints.filter((m) => m.reason === 'fast_bonus')).toHaveLength(2);
    expectHonestRoundSurvives(closed, honest);
  });

  it('oversized payload is refused before parsing', async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const honest = await submitHonest(judge, round, w);
    const attacker = keyFor('bloater');
    const update = { delta: w.honest[4]!.delta, numSamples: 32 };
    const proof = prove(attacker, update, 0, w.base, w.tiny.schema);
    const good = encodeUpdateFile({
      delta: update.delta,
      shapes: w.tiny.schema,
      numSamples: 32,
      round: 0,
      base: w.base,
      metadata: proofToMetadata(proof),
    });
    // padding after the file, an extra huge tensor, and a header padded with metadata
    const padded = new Uint8Array(maxUpdateBytes(w.tiny.schema) + 1);
    padded.set(good);
    const extra = new Map([...update.delta, ['extra.weight', new Float32Array(1 << 20)]]);
    const extraSchema = new Map<string, number[]>([...w.tiny.schema, ['extra.weight', [1 << 20]]]);
    const withExtra = encodeTensorFile(extra, extraSchema, {
      num_samples: '32',
      round: '0',
      base: w.base,
      ...proofToMetadata(proof),
    });
    for (const file of [padded, withExtra]) {
      const report = await judge.submit(round, { file }, { ip: '10.2.2.2' });
      expect(report).toMatchObject({ accepted: false, reason: 'payload_too_large' });
    }
    const bigHeader = encodeUpdateFile({
      delta: update.delta,
      shapes: w.tiny.schema,
      numSamples: 32,
      round: 0,
      base: w.base,
      metadata: { ...proofToMetadata(proof), pad: 'x'.repeat(200_000) },
    });
    const report = await judge.submit(round, { file: bigHeader }, { ip: '10.2.2.3' });
    expect(report.accepted).toBe(false);
    expect(['payload_too_large', 'malformed_update']).toContain(report.reason);
    const closed = await closeRound(judge, round, w);
    expect(closed.rewardOf(attacker.address)).toBe(0n);
    expectHonestRoundSurvives(closed, honest);
  });

  it('wrong base model hash (declared by the submission, or only in the signed proof)', async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const honest = await submitHonest(judge, round, w);
    const attacker = keyFor('stale-base');
    const otherModel = scaled(w.tiny.model, 1.01);
    const otherBase = modelHash(otherModel, w.tiny.schema);
    const own = await w.trainer.train(
      otherModel,
      w.tiny.schema,
      sequences('stale-data', LOCAL.sequences, 6),
      { lr: LOCAL.lr },
    );
    const update = { delta: own.delta, numSamples: own.numSamples };
    const declared = await judge.submit(
      round,
      { update, round: 0, base: otherBase, proof: prove(attacker, update, 0, otherBase, w.tiny.schema) },
      { ip: '10.3.3.3' },
    );
    expect(declared.reason).toBe('wrong_base');
    const attacker2 = keyFor('stale-base-2');
    const signedOnly = await judge.submit(
      round,
      {
        update,
        round: 0,
        base: w.base,
        proof: prove(attacker2, update, 0, w.base, w.tiny.schema, { base: otherBase }),
      },
      { ip: '10.3.3.4' },
    );
    expect(signedOnly.reason).toBe('wrong_base');
    const closed = await closeRound(judge, round, w);
    expect(closed.rewardOf(attacker.address) + closed.rewardOf(attacker2.address)).toBe(0n);
    expectHonestRoundSurvives(closed, honest);
  });

  it('forged signature (impersonation, flipped bit, another chain, missing proof)', async () => {
    const judge = newJudge(w);
    const round = openRound(judge, w);
    const victim = keyFor('victim');
    const forger = keyFor('forger');
    const honest = await submitHonest(judge, round, w);
    const own = await w.trainer.train(
      w.tiny.model,
      w.tiny.schema,
      sequences('forger-data', LOCAL.sequences, 10),
      { lr: LOCAL.lr },
    );
    const update = { delta: own.delta, numSamples: own.numSamples };
    const claim = {
      round: 0,
      base: w.base,
      deltaHash: modelHash(update.delta, w.tiny.schema),
      numSamples: update.numSamples,
      nonce: 1n,
    };
    const bySomeoneElse = { ...signContribution(claim, forger, CHAIN_ID), signer: victim.address };
    const flipped = signContribution({ ...claim, nonce: 2n }, victim, CHAIN_ID);
    flipped.signature[5]! ^= 1;
    const otherChain = signContribution({ ...claim, nonce: 3n }, victim, 'ailo-elsewhere');
    for (const [i, proof] of [bySomeoneElse, flipped, otherChain].entries()) {
      const r = await judge.submit(round, { update, round: 0, base: w.base, proof }, { ip: `10.4.4.${i}` });
      expect(r).toMatchObject({ clientId: victim.address, accepted: false, reason: 'bad_signature' });
    }
    const unsigned = await judge.submit(
      round,
      { update, round: 0, base: w.base, clientId: victim.address },
      { ip: '10.4.4.9' },
    );
    expect(unsigned.reason).toBe('missing_proof');
    const closed = await closeRound(judge, round, w);
    expect(closed.rewardOf(victim.address) + closed.rewardOf(forger.address)).toBe(0n);
    expectHonestRoundSurvives(closed, honest);
  });
});
