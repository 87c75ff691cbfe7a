import {
  createChainParams,
  decodeTransaction,
  formatAlc,
  LedgerNode,
  MAX_REFERENCE_BYTES,
  memoryStore,
  verifyTransaction,
} from '@ailo/ledger';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AcceptedContribution,
  contributionScore,
  DEFAULT_POC_CONFIG,
  fastBonus,
  InferenceRewarder,
  inferenceRewards,
  lossBonusBps,
  mintTransactions,
  type PocConfig,
  resolvePocConfig,
  roundMints,
  settleRound,
  splitBudget,
  trainingReward,
  typicalTrainingReward,
  UNITS_PER_ALC,
} from '../src/index';
import { keyFor } from './federation';

const config = resolvePocConfig();
const alc = (units: bigint) => formatAlc(units);
const [A, B, C, D] = ['alice', 'bob', 'carol', 'dave'].map((n) => keyFor(n).address) as [
  ReturnType<typeof keyFor>['address'],
  ReturnType<typeof keyFor>['address'],
  ReturnType<typeof keyFor>['address'],
  ReturnType<typeof keyFor>['address'],
];

describe('training rewards', () => {
  it('a typical accepted submission earns 0.1 ALC (BaseRate × 32 samples × 1.25)', () => {
    expect(typicalTrainingReward(config.rewards)).toBe(UNITS_PER_ALC / 10n);
    expect(alc(trainingReward(32, 0.25, config.rewards.baseRate))).toBe('0.1');
    expect(alc(trainingReward(32, 0, config.rewards.baseRate))).toBe('0.08');
    expect(alc(trainingReward(32, 1, config.rewards.baseRate))).toBe('0.16');
  });

  it('is exact bigint arithmetic; LossBonus is floored to basis points', () => {
    expect(lossBonusBps(0.123456)).toBe(1234n);
    expect(lossBonusBps(-1)).toBe(0n);
    expect(lossBonusBps(Number.NaN)).toBe(0n);
    // n_k at the safe-integer limit stays exact
    const n = Number.MAX_SAFE_INTEGER;
    expect(trainingReward(n, 0.5, 3n)).toBe((3n * BigInt(n) * 15_000n) / 10_000n);
  });

  it('fast bonus: only accepted updates, strictly under the window', () => {
    const r = config.rewards;
    expect(fastBonus(0, true, r)).toBe(UNITS_PER_ALC / 20n);
    expect(fastBonus(4999, true, r)).toBe(r.fastBonus);
    expect(fastBonus(5000, true, r)).toBe(0n);
    expect(fastBonus(100, false, r)).toBe(0n);
    expect(fastBonus(undefined, true, r)).toBe(0n);
    expect(fastBonus(-5, true, r)).toBe(0n);
    expect(fastBonus(Number.NaN, true, r)).toBe(0n);
  });

  it('settles per submission, or splits a fixed budget by score', () => {
    const entries: AcceptedContribution[] = [
      {
        recipient: A,
        round: 1,
        deltaHash: 'a'.repeat(64),
        numSamples: 32,
        lossBonus: 0.25,
        elapsedMs: 1000,
        eligible: true,
      },
      { recipient: B, round: 1, deltaHash: 'b'.repeat(64), numSamples: 64, lossBonus: 0, eligible: true },
      {
        recipient: C,
        round: 1,
        deltaHash: 'c'.repeat(64),
        numSamples: 32,
        lossBonus: 0.5,
        elapsedMs: 100,
        eligible: false,
      },
    ];
    const plain = settleRound(entries, config);
    expect(plain.map((l) => alc(l.total))).toEqual(['0.15', '0.16', '0']);
    expect(plain[0]).toMatchObject({
      training: 10_000_000n,
      fastBonus: 5_000_000n,
      fast: true,
      lossBonusBps: 2500n,
    });
    const budget = UNITS_PER_ALC;
    const split = settleRound(entries, resolvePocConfig({ rewards: { budgetPerRound: budget } }));
    const total = split.reduce((a, l) => a + l.total, 0n);
    expect(total).toBeLessThanOrEqual(budget);
    expect(budget - total).toBeLessThan(3n);
    // A: 32 × 1.25 × 1.5 = 60, B: 64 × 1 = 64 → shares 60/124 and 64/124 of the budget
    expect(split[0]!.total).toBe((budget * 60n) / 124n);
    expect(split[1]!.total).toBe((budget * 64n) / 124n);
    expect(split[0]!.fastBonus).toBe(split[0]!.total - (split[0]!.total * 40n) / 60n);
    expect(split[2]!.total).toBe(0n);
  });

  it('splitBudget never exceeds the budget and is proportional (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 9n }), { maxLength: 30 }),
        (budget, scores) => {
          const shares = splitBudget(budget, scores);
          const sum = shares.reduce((a, b) => a + b, 0n);
          expect(sum).toBeLessThanOrEqual(budget);
          // each floor loses < 1 unit; nothing is minted when no score is positive
          if (scores.some((x) => x > 0n)) expect(budget - sum).toBeLessThan(BigInt(scores.length));
          else expect(sum).toBe(0n);
          scores.forEach((s, i) => {
            if (s === 0n) expect(shares[i]).toBe(0n);
          });
        },
      ),
    );
  });

  it('with a budget, splitting one contribution across identities never earns more in total (property)', () => {
    const r = resolvePocConfig({ rewards: { budgetPerRound: 10n ** 9n } });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 2000 }), { maxLength: 8 }),
        (n, bonusBps, fast, cuts, others) => {
          const bonus = bonusBps / 10_000;
          const elapsed = fast ? 100 : 60_000;
          const others$ = others.map(
            (m, i): AcceptedContribution => ({
              recipient: D,
              round: 0,
              deltaHash: String(i).padStart(64, '0'),
              numSamples: m,
              lossBonus: 0.1,
              eligible: true,
            }),
          );
          const one: AcceptedContribution = {
            recipient: A,
            round: 0,
            deltaHash: 'e'.repeat(64),
            numSamples: n,
            lossBonus: bonus,
            elapsedMs: elapsed,
            eligible: true,
          };
          const single = settleRound([one, ...others$], r)[0]!.total;
          // the same data cut into pieces; each piece at most as good as the whole (bonus ≤)
          const total = cuts.reduce((a, b) => a + b, 0);
          const sizes = cuts.map((c) => Math.max(1, Math.floor((c / total) * n)));
          const pieces = sizes.map(
            (m, i): AcceptedContribution => ({
              ...one,
              recipient: B,
              deltaHash: String(i).padStart(64, 'f'),
              numSamples: m,
            }),
          );
          const lines = settleRound([...pieces, ...others$], r);
          const split = lines.slice(0, pieces.length).reduce((a, l) => a + l.total, 0n);
          const sizesSum = sizes.reduce((a, b) => a + b, 0);
          if (sizesSum <= n) expect(split).toBeLessThanOrEqual(single);
        },
      ),
    );
  });

  it('scores are additive in samples', () => {
    expect(
      contributionScore(10, 0.3, true, config.rewards) + contributionScore(22, 0.3, true, config.rewards),
    ).toBe(contributionScore(32, 0.3, true, config.rewards));
  });
});

describe('inference rewards', () => {
  const at = (i: number) => 1_000_000 + i * 1000;
  it('0.05 ALC to each distinct serving node, never to the requester', () => {
    const s = inferenceRewards(
      { requestId: 'req-1', requester: A, servers: [B, C, B, A], completedAt: at(0) },
      new InferenceRewarder(config),
      config,
    );
    expect(s.mints).toEqual([
      { to: B, amount: 5_000_000n, reason: 'inference', reference: 'infer/req-1' },
      { to: C, amount: 5_000_000n, reason: 'inference', reference: 'infer/req-1' },
    ]);
    expect(s.denied).toEqual([
      { server: B, reason: 'duplicate_server' },
      { server: A, reason: 'requester' },
    ]);
  });

  it('two colluding identities cannot farm: per-pair and per-requester limits per window', () => {
    const cfg = resolvePocConfig({
      inference: { perPair: { max: 3, windowMs: 60_000 }, perRequester: { max: 5, windowMs: 60_000 } },
    });
    const rewarder = new InferenceRewarder(cfg);
    let paid = 0n;
    for (let i = 0; i < 50; i++) {
      for (const m of rewarder.complete({
        requestId: `farm-${i}`,
        requester: A,
        servers: [B],
        completedAt: at(i),
      }).mints)
        paid += m.amount;
    }
    // 50 s of farming inside one window: 3 payouts to B, never to A
    expect(paid).toBe(3n * cfg.rewards.inference);
    // other servers still get paid, until the requester's own limit
    const more = [C, D, C, D, C].map((s, i) =>
      rewarder.complete({ requestId: `x-${i}`, requester: A, servers: [s], completedAt: at(51 + i) }),
    );
    expect(more.map((m) => m.mints.length)).toEqual([1, 1, 0, 0, 0]);
    expect(more[2]!.denied[0]!.reason).toBe('requester_limit');
    // after the window, pay resumes
    expect(
      rewarder.complete({ requestId: 'later', requester: A, servers: [B], completedAt: at(200) }).mints,
    ).toHaveLength(1);
  });

  it('bad request ids and times are INVALID_INPUT', () => {
    const h = new InferenceRewarder(config);
    for (const requestId of ['', 'has space', 'x'.repeat(101), 'tab\t']) {
      expect(() =>
        inferenceRewards({ requestId, requester: A, servers: [B], completedAt: 1 }, h, config),
      ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    expect(() =>
      inferenceRewards({ requestId: 'ok', requester: A, servers: [B], completedAt: Number.NaN }, h, config),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('MINT transactions', () => {
  const coordinator = keyFor('coordinator');
  const lines = settleRound(
    [
      {
        recipient: A,
        round: 12,
        deltaHash: 'a'.repeat(64),
        numSamples: 32,
        lossBonus: 0.25,
        elapsedMs: 10,
        eligible: true,
      },
      { recipient: B, round: 12, deltaHash: 'b'.repeat(64), numSamples: 16, lossBonus: 0, eligible: true },
      { recipient: C, round: 12, deltaHash: 'c'.repeat(64), numSamples: 16, lossBonus: 0, eligible: false },
    ],
    config,
  );

  it('one training and one fast_bonus MINT per paid line, with round references', () => {
    const mints = roundMints(lines);
    expect(mints.map((m) => [m.to, m.reason, m.amount])).toEqual([
      [A, 'training', 10_000_000n],
      [A, 'fast_bonus', 5_000_000n],
      [B, 'training', 4_000_000n],
    ]);
    expect(mints[0]!.reference).toBe(`round/12/${'a'.repeat(64)}`);
    expect(
      new TextEncoder().encode(`round/${Number.MAX_SAFE_INTEGER}/${'a'.repeat(64)}`).length,
    ).toBeLessThanOrEqual(MAX_REFERENCE_BYTES);
  });

  it('are signed by the coordinator with consecutive nonces, decode, verify and apply on a ledger', async () => {
    const params = createChainParams({ chainId: 'ailo-test', coordinator: coordinator.address });
    const node = await LedgerNode.open({
      store: memoryStore(),
      params,
      blockSigner: coordinator,
      clock: () => 2_000_000,
    });
    const txs = mintTransactions(roundMints(lines), {
      coordinator,
      chainId: 'ailo-test',
      firstNonce: node.nextNonce(coordinator.address),
      timestamp: 1_999_000,
    });
    expect(txs.map((t) => t.tx.nonce)).toEqual([0n, 1n, 2n]);
    for (const t of txs) {
      const decoded = decodeTransaction(t.bytes, 'ailo-test');
      verifyTransaction(decoded);
      expect(decoded.tx).toMatchObject({ type: 'MINT', from: coordinator.address });
      await node.submit(t.bytes);
    }
    await node.produceBlock({ timestamp: 2_000_000 });
    expect(node.account(A).balance).toBe(15_000_000n);
    expect(node.account(B).balance).toBe(4_000_000n);
    expect(node.supply().minted).toBe(19_000_000n);
    await node.close();
  });

  it('a mint that breaks a ledger rule is INVALID_INPUT with the ledger error as cause', () => {
    expect(() =>
      mintTransactions([{ to: A, amount: 0n, reason: 'training', reference: 'round/1/x' }], {
        coordinator,
        chainId: 'ailo-test',
        firstNonce: 0n,
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'PocError',
        code: 'INVALID_INPUT',
        cause: expect.objectContaining({ name: 'LedgerError' }),
      }),
    );
  });
});

describe('config', () => {
  it('defaults are the documented constants', () => {
    expect(resolvePocConfig()).toEqual(DEFAULT_POC_CONFIG);
    expect(resolvePocConfig({ norm: { hi: 20 } }).norm).toEqual({ ...DEFAULT_POC_CONFIG.norm, hi: 20 });
  });

  it('every bad value is INVALID_CONFIG naming its path', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ norm: { lo: -0.1 } }, 'norm.lo'],
      [{ norm: { lo: 2 } }, 'norm.lo'],
      [{ norm: { hi: 0.5 } }, 'norm.hi'],
      [{ norm: { minReference: 0 } }, 'norm.minReference'],
      [{ validation: { sequences: 1.5 } }, 'validation.sequences'],
      [{ validation: { tolerance: Number.NaN } }, 'validation.tolerance'],
      [{ validation: { stepScale: 0 } }, 'validation.stepScale'],
      [{ copy: { maxCosine: 1.5 } }, 'copy.maxCosine'],
      [{ copy: { sketchSize: 0 } }, 'copy.sketchSize'],
      [{ maxNumSamples: 0 }, 'maxNumSamples'],
      [{ rateLimits: { identity: { max: -1 } } }, 'rateLimits.identity.max'],
      [{ rateLimits: { ip: { windowMs: 0 } } }, 'rateLimits.ip.windowMs'],
      [{ rateLimits: { maxAcceptedPerIp: 0 } }, 'rateLimits.maxAcceptedPerIp'],
      [{ rewards: { baseRate: 5 } }, 'rewards.baseRate'],
      [{ rewards: { fastBonus: -1n } }, 'rewards.fastBonus'],
      [{ rewards: { budgetPerRound: 1.5 } }, 'rewards.budgetPerRound'],
      [{ inference: { perPair: { max: 'x' } } }, 'inference.perPair.max'],
    ];
    for (const [input, path] of bad) {
      expect(() => resolvePocConfig(input as never), path).toThrow(
        expect.objectContaining({ name: 'PocError', code: 'INVALID_CONFIG', meta: { path } }),
      );
    }
  });

  it('the defaults object cannot be mutated by accident', () => {
    const c: PocConfig = resolvePocConfig();
    c.norm.hi = 99;
    expect(DEFAULT_POC_CONFIG.norm.hi).toBe(10);
    expect(() => {
      (DEFAULT_POC_CONFIG.norm as { hi: number }).hi = 99;
    }).toThrow(TypeError);
  });
});
