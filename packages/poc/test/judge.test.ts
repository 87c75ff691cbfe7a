/**
 * The judge's bookkeeping on a quadratic "model" (loss = 1 + mean((w − target)²)), so every
 * path is fast and exact: honest updates step toward the target.
 */
import { createHash } from 'node:crypto';
import { modelHash, Round, SeededRng, type Sha256Hasher } from '@ailo/fedavg';
import { describe, expect, it } from 'vitest';
import { ContributionJudge, type LossEvaluator, type PocConfigInput, signContribution } from '../src/index';
import { keyFor } from './federation';

const schema = new Map([
  ['w', [40, 25]],
  ['b', [25]],
]);
const target = new Map(
  [...schema].map(([k, s]) => [
    k,
    Float32Array.from({ length: s[0]! * (s[1] ?? 1) }, (_, i) => Math.sin(i + k.length)),
  ]),
);
const model = new Map([...schema].map(([k, s]) => [k, new Float32Array(s[0]! * (s[1] ?? 1))]));
const base = modelHash(model, schema);
const secret = new TextEncoder().encode('judge test secret!!');
const pool = [
  [1, 2],
  [3, 4],
];

function quadratic(
  opts: { fail?: boolean; baseNaN?: boolean; delayMs?: number } = {},
): LossEvaluator & { calls: number } {
  const ev = {
    calls: 0,
    async loss(w: ReadonlyMap<string, Float32Array>) {
      ev.calls++;
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (opts.fail) throw new Error('backend exploded');
      let s = 0;
      let n = 0;
      let zero = true;
      for (const [k, t] of target) {
        const x = w.get(k)!;
        for (let i = 0; i < t.length; i++) {
          s += (x[i]! - t[i]!) ** 2;
          if (x[i] !== 0) zero = false;
        }
        n += t.length;
      }
      return opts.baseNaN && zero ? Number.NaN : 1 + s / n;
    },
  };
  return ev;
}

/** An honest update: a step of size `eta` toward the target seen through the client's own noise (cosine ≈ 0.5 between clients). */
function honest(seed: number, eta = 0.1): Map<string, Float32Array> {
  const rng = new SeededRng(seed);
  return new Map([...target].map(([k, t]) => [k, t.map((x) => -eta * (x + 0.7 * rng.nextGaussian()))]));
}

function judge(
  ev: LossEvaluator = quadratic(),
  config: PocConfigInput = {},
  extra: { requireProof?: boolean; clock?: () => number; createHash?: () => Sha256Hasher } = {},
) {
  return new ContributionJudge({
    chainId: 'ailo-test',
    secret,
    evaluator: ev,
    validationPool: pool,
    config,
    ...extra,
  });
}

function round(j: ContributionJudge, deadline = Number.MAX_SAFE_INTEGER, clock?: () => number): Round {
  j.beginRound({ round: 0, base, model, schema });
  return new Round({
    round: 0,
    base,
    model,
    schema,
    deadline,
    validator: j.validator,
    ...(clock ? { clock } : {}),
  });
}

let nonce = 100n;
function signed(name: string, delta: Map<string, Float32Array>, numSamples = 16) {
  const key = keyFor(name);
  const proof = signContribution(
    { round: 0, base, deltaHash: modelHash(delta, schema), numSamples, nonce: nonce++ },
    key,
    'ailo-test',
  );
  return { update: { delta, numSamples }, round: 0, base, proof };
}

describe('ContributionJudge', () => {
  it('bad construction and misuse are typed errors', () => {
    const ev = quadratic();
    expect(
      () =>
        new ContributionJudge({
          chainId: 'ailo-test',
          secret: new Uint8Array(8),
          evaluator: ev,
          validationPool: pool,
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(
      () => new ContributionJudge({ chainId: 'ailo-test', secret, evaluator: ev, validationPool: [] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_VALIDATION_SET' }));
    expect(
      () =>
        new ContributionJudge({
          chainId: 'ailo-test',
          secret,
          evaluator: {} as LossEvaluator,
          validationPool: pool,
        }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => judge(ev, { norm: { hi: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    const j = judge(ev);
    expect(() => j.expect('x', undefined)).toThrow(
      expect.objectContaining({ name: 'PocError', code: 'NO_ROUND' }),
    );
    expect(() => j.baseLoss()).toThrow(expect.objectContaining({ code: 'NO_ROUND' }));
    expect(() => j.beginRound({ round: -1, model, schema })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    const r = round(j);
    const other = new Round({ round: 1, model, schema, deadline: Number.MAX_SAFE_INTEGER });
    expect(() => j.settle(other.close())).toThrow(expect.objectContaining({ code: 'NO_ROUND' }));
    expect(j.settle(r.close()).lines).toEqual([]);
  });

  it('accepts honest updates, pays them, and counts them in the round', async () => {
    const j = judge();
    const r = round(j);
    const reports = [];
    for (let k = 0; k < 4; k++)
      reports.push(await j.submit(r, signed(`h${k}`, honest(k)), { ip: `10.0.0.${k}` }));
    for (const rep of reports) {
      expect(rep.accepted).toBe(true);
      expect(rep.lossBonus).toBeGreaterThan(0);
      expect(rep.score).toBeCloseTo(16 * (1 + rep.lossBonus), 10);
      expect(rep.checks.map((c) => c.status)).not.toContain('fail');
    }
    expect(j.report(keyFor('h0').address)).toBe(reports[0]);
    const s = j.settle(r.close());
    expect(s.lines).toHaveLength(4);
    expect(s.mints.every((m) => m.reason === 'training' && m.amount > 0n)).toBe(true);
    expect(j.round).toBeUndefined();
  });

  it('a given SHA-256 (node:crypto) hashes the base and each update, with the default digests', async () => {
    const counting = (algorithm: string) => {
      const f = () => {
        f.calls++;
        return createHash(algorithm);
      };
      f.calls = 0;
      return f;
    };
    const sha = counting('sha256');
    const j = judge(quadratic(), {}, { createHash: sha });
    // no base given: the judge hashes the model itself
    j.beginRound({ round: 0, model, schema });
    expect(sha.calls).toBe(1);
    // an offline check hashes the delta; the proof signs the digest of the portable default
    const ok = await j.check(signed('hash', honest(7)), { ip: '10.0.0.9' });
    expect(ok.accepted).toBe(true);
    expect(sha.calls).toBe(2);
    // a hasher with other digests: the base no longer matches the signed claim
    const other = counting('sha512-256');
    const k = judge(quadratic(), {}, { createHash: other });
    k.beginRound({ round: 0, model, schema });
    const bad = await k.check(signed('hash2', honest(8)), { ip: '10.0.0.10' });
    expect(bad.accepted).toBe(false);
    expect(other.calls).toBeGreaterThan(0);
  });

  it('the validator hook alone (round.submit without expect) demands a proof unless told otherwise', async () => {
    const j = judge();
    const r = round(j);
    await expect(
      r.submit({ clientId: 'anon', round: 0, base, update: { delta: honest(1), numSamples: 4 } }),
    ).rejects.toMatchObject({
      code: 'REJECTED_BY_VALIDATOR',
      meta: { reason: expect.stringMatching(/^missing_proof/) },
    });
    expect(j.report('anon')?.reason).toBe('missing_proof');
    const open = judge(quadratic(), {}, { requireProof: false });
    const r2 = round(open);
    const receipt = await r2.submit({
      clientId: 'anon',
      round: 0,
      base,
      update: { delta: honest(1), numSamples: 4 },
    });
    expect(receipt.score).toBeGreaterThan(4);
    expect(open.report('anon')!.checks.find((c) => c.check === 'signature')!.status).toBe('skipped');
  });

  it('evaluator failures reject with validation_failed; a non-finite base loss is EVALUATION_FAILED', async () => {
    const j = judge(quadratic({ fail: true }));
    const r = round(j);
    const rep = await j.submit(r, signed('e1', honest(1)), {});
    expect(rep).toMatchObject({ accepted: false, reason: 'validation_failed' });
    expect(rep.message).toMatch(/backend exploded/);
    const j2 = judge(quadratic({ baseNaN: true }));
    round(j2);
    await expect(j2.baseLoss()).rejects.toMatchObject({ code: 'EVALUATION_FAILED' });
  });

  it('concurrent submissions: the per-IP acceptance cap holds and the evaluator runs once per update', async () => {
    const ev = quadratic({ delayMs: 5 });
    const j = judge(ev, { rateLimits: { maxAcceptedPerIp: 2 } });
    const r = round(j);
    const reps = await Promise.all(
      [0, 1, 2, 3, 4].map((k) =>
        j.submit(r, signed(`c${k}`, honest(k)), { ip: '198.51.100.1', connection: `c${k}` }),
      ),
    );
    expect(reps.filter((x) => x.accepted)).toHaveLength(2);
    expect(reps.filter((x) => x.reason === 'rate_limited')).toHaveLength(3);
    expect(ev.calls).toBeLessThanOrEqual(1 + 5);
    expect(r.acceptedCount).toBe(2);
  });

  it('attempt limits per identity count only valid signatures; per connection and IP count every attempt', async () => {
    let now = 0;
    const clock = () => now;
    const j = judge(quadratic(), { rateLimits: { identity: { max: 2 }, connection: { max: 3 } } }, { clock });
    const r = round(j);
    // a broken update (×1000) from the same identity three times: the third attempt is rate limited
    const reasons = [];
    for (let i = 0; i < 3; i++) {
      const evil = new Map([...honest(1)].map(([k, v]) => [k, v.map((x) => x * 1000 + i)]));
      reasons.push((await j.submit(r, signed('repeat', evil), { connection: `conn-${i}` })).reason);
    }
    expect(reasons).toEqual(['loss_increased', 'loss_increased', 'rate_limited']);
    // one connection: the fourth attempt is refused before any check
    for (let i = 0; i < 3; i++)
      await j.submit(r, signed(`conn-user-${i}`, honest(10 + i, 0)), { connection: 'shared' });
    const fourth = await j.submit(r, signed('conn-user-3', honest(20)), { connection: 'shared' });
    expect(fourth).toMatchObject({
      reason: 'rate_limited',
      checks: expect.arrayContaining([expect.objectContaining({ check: 'rate_connection', status: 'fail' })]),
    });
    // the window slides
    now += 61_000;
    expect((await j.submit(r, signed('conn-user-3', honest(21)), { connection: 'shared' })).accepted).toBe(
      true,
    );
  });

  it('junk and oversized files count against the connection and IP windows before parsing', async () => {
    const j = judge(quadratic(), { rateLimits: { connection: { max: 3 } } });
    const r = round(j);
    const reasons = [];
    for (let i = 0; i < 4; i++) {
      const file = i % 2 ? new Uint8Array(10_000_000) : new TextEncoder().encode('junk');
      reasons.push((await j.submit(r, { file }, { connection: 'flood', ip: '192.0.2.1' })).reason);
    }
    expect(reasons).toEqual(['malformed_update', 'payload_too_large', 'malformed_update', 'rate_limited']);
  });

  it('a round closing while an update is validated: the update is late and earns nothing', async () => {
    const ev = quadratic({ delayMs: 30 });
    const j = judge(ev);
    const r = round(j);
    const pending = j.submit(r, signed('slow', honest(3)), {});
    await new Promise((res) => setTimeout(res, 5));
    const result = r.close();
    const rep = await pending;
    expect(rep).toMatchObject({ accepted: false, reason: 'late_submission' });
    expect(j.settle(result).lines).toEqual([]);
  });

  it('an identical resubmission returns the first report; a different one is a duplicate', async () => {
    const j = judge();
    const r = round(j);
    const first = signed('twice', honest(4));
    const a = await j.submit(r, first, {});
    const b = await j.submit(r, first, {});
    expect(b).toBe(a);
    const c = await j.submit(r, signed('twice', honest(5)), {});
    expect(c.reason).toBe('duplicate_submission');
    expect(j.report(keyFor('twice').address)).toBe(a);
  });

  it('a sign flip whose full step still lowers the loss: rejected against the consensus, or unpaid at settlement', async () => {
    // far from a minimum both ±Δ can lower the loss (measured on the demo model at random init)
    const bowl: LossEvaluator = {
      async loss(w) {
        let s = 0;
        for (const x of w.values()) for (const v of x) s += v * v;
        return 10 / (1 + s); // any move away from M_t = 0 "helps"
      },
    };
    const h = [1, 2, 3].map((k) => honest(k));
    const flip = new Map([...honest(9)].map(([k, v]) => [k, v.map((x) => -x)]));
    const early = judge(bowl);
    const r1 = round(early);
    const attacker = await early.submit(r1, signed('early-flipper', flip), {});
    expect(attacker.accepted).toBe(true); // no consensus yet, and its full step lowers the loss
    for (const [k, d] of h.entries()) {
      const r = await early.submit(r1, signed(`bowl-${k}`, d), {});
      expect(r.accepted, `${r.reason}: ${r.message}`).toBe(true);
    }
    const s1 = early.settle(r1.close());
    const settled = s1.reports.find((r) => r.clientId === keyFor('early-flipper').address)!;
    expect(settled.rewardWithheld?.reason).toBe('opposes_consensus');
    expect(s1.lines.filter((l) => l.total > 0n)).toHaveLength(3);
    const late = judge(bowl);
    const r2 = round(late);
    for (const [k, d] of h.entries()) await late.submit(r2, signed(`bowl2-${k}`, d), {});
    const rep = await late.submit(r2, signed('late-flipper', flip), {});
    expect(rep).toMatchObject({ accepted: false, reason: 'opposes_consensus' });
    expect(
      (rep.checks.find((c) => c.check === 'consensus')!.value as { cosine: number }).cosine,
    ).toBeLessThan(0);
  });

  it('rewards are paid only when the round aggregated', async () => {
    const j = judge();
    j.beginRound({ round: 0, base, model, schema });
    const r = new Round({
      round: 0,
      base,
      model,
      schema,
      deadline: Number.MAX_SAFE_INTEGER,
      minClients: 3,
      validator: j.validator,
    });
    const rep = await j.submit(r, signed('lonely', honest(6)), {});
    expect(rep.accepted).toBe(true);
    const result = r.close();
    expect(result.status).toBe('unchanged');
    const s = j.settle(result);
    expect(s.lines.every((l) => l.total === 0n)).toBe(true);
    expect(s.mints).toEqual([]);
    expect(s.reports[0]!.reward.total).toBe(0n);
  });
});
