import { SeededRng } from '@ailo/fedavg';
import { describe, expect, it } from 'vitest';
import {
  type ContributionClaim,
  checkAcceptedCap,
  checkClaim,
  checkConsensus,
  checkCopy,
  checkFinite,
  checkImprovement,
  checkNorm,
  checkNumSamplesCap,
  checkPayloadSize,
  checkRateLimit,
  checkReplay,
  checkSignature,
  checkValidationLoss,
  contributionSigningBytes,
  cosine,
  DEFAULT_POC_CONFIG,
  lossBonus,
  maxUpdateBytes,
  median,
  proofFromMetadata,
  proofToMetadata,
  RateLimiter,
  ReplayGuard,
  signContribution,
  sketchPlan,
  sketchUpdate,
  validationSample,
} from '../src/index';
import { keyFor } from './federation';

const H = (c: string) => c.repeat(64);
const claim: ContributionClaim = { round: 3, base: H('a'), deltaHash: H('b'), numSamples: 32, nonce: 7n };
const key = keyFor('checks');
const other = keyFor('someone else');

describe('check 1: signature, claim, replay', () => {
  it('a signed claim verifies; any changed field, key or chain does not', () => {
    const proof = signContribution(claim, key, 'ailo-test');
    expect(checkSignature(proof, 'ailo-test')).toEqual({ accepted: true, value: { signer: key.address } });
    const tampered: ContributionClaim[] = [
      { ...claim, round: 4 },
      { ...claim, base: H('c') },
      { ...claim, deltaHash: H('c') },
      { ...claim, numSamples: 33 },
      { ...claim, nonce: 8n },
    ];
    for (const c of tampered)
      expect(checkSignature({ ...proof, claim: c }, 'ailo-test').accepted).toBe(false);
    expect(checkSignature({ ...proof, signer: other.address }, 'ailo-test')).toMatchObject({
      accepted: false,
      reason: 'bad_signature',
    });
    expect(checkSignature(proof, 'ailo-other')).toMatchObject({ accepted: false, reason: 'bad_signature' });
  });

  it('malformed proofs are a bad_signature, never a throw (hostile-input table)', () => {
    const proof = signContribution(claim, key, 'ailo-test');
    const hostile = [
      { ...proof, signature: proof.signature.subarray(0, 63) },
      { ...proof, signature: new Uint8Array(64) },
      { ...proof, signature: 'ab'.repeat(64) as unknown as Uint8Array },
      { ...proof, signer: 'ailo1notanaddress' as never },
      { ...proof, claim: { ...claim, nonce: -1n } },
      { ...proof, claim: { ...claim, nonce: 1n << 64n } },
      { ...proof, claim: { ...claim, round: 1.5 } },
      { ...proof, claim: { ...claim, base: H('A') } },
      { ...proof, claim: { ...claim, numSamples: 0 } },
    ];
    for (const p of hostile)
      expect(checkSignature(p, 'ailo-test')).toMatchObject({ accepted: false, reason: 'bad_signature' });
    expect(checkSignature(proof, 'Bad Chain!')).toMatchObject({ accepted: false, reason: 'bad_signature' });
  });

  it('signing bytes: domain tag, chain id, then fixed-width fields (little-endian)', () => {
    const bytes = contributionSigningBytes(claim, 'ailo-test');
    const prefix = new TextEncoder().encode('ailo-poc-contribution-v1\0ailo-test\0');
    expect(bytes.subarray(0, prefix.length)).toEqual(prefix);
    expect(bytes.length).toBe(prefix.length + 8 + 32 + 32 + 8 + 8);
    const dv = new DataView(bytes.buffer, prefix.length);
    expect(dv.getBigUint64(0, true)).toBe(3n);
    expect(dv.getBigUint64(72, true)).toBe(32n);
    expect(dv.getBigUint64(80, true)).toBe(7n);
    expect(() => contributionSigningBytes(claim, 'UPPER')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => contributionSigningBytes({ ...claim, deltaHash: 'x' }, 'ailo-test')).toThrow(
      expect.objectContaining({ code: 'INVALID_PROOF' }),
    );
  });

  it('update-file metadata round-trips a proof; malformed entries are INVALID_PROOF', () => {
    const proof = signContribution(claim, key, 'ailo-test');
    const file = { round: claim.round, base: claim.base, numSamples: claim.numSamples };
    const meta = proofToMetadata(proof);
    expect(proofFromMetadata(meta, file)).toEqual(proof);
    expect(proofFromMetadata({}, file)).toBeUndefined();
    const bad: Record<string, string>[] = [
      { ...meta, poc_signature: undefined as never },
      { poc_signer: key.address },
      { ...meta, poc_signer: 'bob' },
      { ...meta, poc_nonce: '07' },
      { ...meta, poc_nonce: '-1' },
      { ...meta, poc_nonce: (1n << 64n).toString() },
      { ...meta, poc_signature: meta.poc_signature!.toUpperCase() },
      { ...meta, poc_signature: meta.poc_signature!.slice(2) },
      { ...meta, poc_update_hash: 'b'.repeat(63) },
    ];
    for (const m of bad) {
      const clean = Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
      expect(() => proofFromMetadata(clean, file)).toThrow(
        expect.objectContaining({ name: 'PocError', code: 'INVALID_PROOF' }),
      );
    }
  });

  it('the claim must describe this submission', () => {
    const proof = signContribution(claim, key, 'ailo-test');
    const s = { clientId: key.address, round: 3, base: H('a'), deltaHash: H('b'), numSamples: 32 };
    expect(checkClaim(proof, s).accepted).toBe(true);
    expect(checkClaim(proof, { ...s, clientId: other.address })).toMatchObject({ reason: 'signer_mismatch' });
    expect(checkClaim(proof, { ...s, round: 4 })).toMatchObject({ reason: 'wrong_round' });
    expect(checkClaim(proof, { ...s, base: H('f') })).toMatchObject({ reason: 'wrong_base' });
    expect(checkClaim(proof, { ...s, deltaHash: H('f') })).toMatchObject({ reason: 'update_hash_mismatch' });
    expect(checkClaim(proof, { ...s, numSamples: 320 })).toMatchObject({ reason: 'num_samples_mismatch' });
  });

  it('replays: nonces must increase; an update hash belongs to its first (signer, round)', () => {
    const guard = new ReplayGuard(2);
    const p = { signer: 'A', nonce: 5n, deltaHash: H('1'), round: 0 };
    expect(checkReplay(p, guard).accepted).toBe(true);
    guard.record('A', 5n, H('1'), 0);
    expect(checkReplay(p, guard)).toMatchObject({
      accepted: false,
      reason: 'stale_nonce',
      value: { lastNonce: 5n },
    });
    expect(checkReplay({ ...p, nonce: 4n }, guard)).toMatchObject({ reason: 'stale_nonce' });
    expect(checkReplay({ ...p, nonce: 6n }, guard).accepted).toBe(true); // same update, same round: a retry
    expect(checkReplay({ ...p, nonce: 6n, round: 1 }, guard)).toMatchObject({ reason: 'replayed_update' });
    expect(checkReplay({ ...p, signer: 'B' }, guard)).toMatchObject({
      reason: 'replayed_update',
      value: { seen: { signer: 'A', round: 0 } },
    });
    guard.record('B', 1n, H('2'), 0);
    guard.record('B', 2n, H('3'), 0); // capacity 2: H('1') is forgotten first
    expect(guard.firstSeen(H('1'))).toBeUndefined();
    expect(guard.firstSeen(H('3'))).toEqual({ signer: 'B', round: 0 });
    guard.record('B', 1n, H('4'), 0);
    expect(guard.lastNonce('B')).toBe(2n); // never decreases
  });
});

describe('check 2: values and norm', () => {
  const schema = new Map([
    ['a', [2, 3]],
    ['b', [4]],
  ]);
  it('finite values: NaN and ±Infinity are counted and located', () => {
    const ok = new Map([
      ['a', new Float32Array(6).fill(1)],
      ['b', new Float32Array(4)],
    ]);
    expect(checkFinite(ok, schema)).toEqual({ accepted: true, value: { nonFinite: 0, first: null } });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const b = new Float32Array(4);
      b[2] = bad;
      b[3] = bad;
      expect(checkFinite(new Map([...ok, ['b', b]]), schema)).toMatchObject({
        reason: 'non_finite',
        value: { nonFinite: 2, first: 'b[2]' },
      });
    }
  });

  it('norm bounds relative to the median, and a floor relative to the model', () => {
    const b = DEFAULT_POC_CONFIG.norm;
    expect(checkNorm(1, 100, 1, b)).toMatchObject({ accepted: true, value: { ratio: 1 } });
    expect(checkNorm(1, 100, undefined, b)).toMatchObject({ accepted: true, value: { reference: null } });
    expect(checkNorm(0, 100, 1, b).accepted && 'x').toBe(false);
    expect(checkNorm(0, 100, undefined, b)).toMatchObject({ reason: 'free_rider' });
    expect(checkNorm(1e-5, 100, undefined, b)).toMatchObject({ reason: 'free_rider' });
    expect(checkNorm(0.099, 100, 1, b)).toMatchObject({ reason: 'free_rider' });
    expect(checkNorm(0.1, 100, 1, b).accepted).toBe(true);
    expect(checkNorm(10, 100, 1, b).accepted).toBe(true);
    expect(checkNorm(10.01, 100, 1, b)).toMatchObject({ reason: 'norm_too_large' });
    expect(checkNorm(Number.POSITIVE_INFINITY, 100, undefined, b)).toMatchObject({
      reason: 'norm_too_large',
    });
  });

  it('median', () => {
    expect(median([])).toBeUndefined();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, Number.NaN, 3])).toBe(2);
  });
});

describe('check 3: held-out validation', () => {
  const v = DEFAULT_POC_CONFIG.validation;
  it('tolerance, LossBonus (capped) and the reward condition', () => {
    const ok = checkValidationLoss(2, 1.95, v);
    expect(ok.accepted).toBe(true);
    expect(ok.value.relativeReduction).toBeCloseTo(0.025, 12);
    expect(ok.value.lossBonus).toBeCloseTo(0.25, 12);
    expect(checkValidationLoss(2, 2 * (1 + v.tolerance), v).accepted).toBe(true);
    expect(checkValidationLoss(2, 2 * (1 + v.tolerance) + 1e-9, v)).toMatchObject({
      reason: 'loss_increased',
    });
    expect(checkValidationLoss(2, Number.NaN, v)).toMatchObject({ reason: 'loss_increased' });
    expect(checkValidationLoss(2, 0.2, v).value.lossBonus).toBe(v.bonusCap);
    expect(lossBonus(-0.5, v)).toBe(0);
    const flat = checkValidationLoss(2, 2, v);
    expect(flat.accepted).toBe(true);
    expect(checkImprovement(flat.value, v)).toMatchObject({ reason: 'no_improvement' });
    expect(checkImprovement(checkValidationLoss(2, 1.99, v).value, v).accepted).toBe(true);
  });

  it('the validation subsample is fresh per round, secret-dependent and deterministic', () => {
    const pool = Array.from({ length: 50 }, (_, i) => [i, i + 1]);
    const s1 = new TextEncoder().encode('first secret, 16+ bytes');
    const s2 = new TextEncoder().encode('second secret, 16+ bytes');
    const a = validationSample(pool, s1, 0, 8);
    expect(a).toHaveLength(8);
    expect(new Set(a.map((x) => x[0])).size).toBe(8);
    expect(validationSample(pool, s1, 0, 8)).toEqual(a);
    expect(validationSample(pool, s1, 1, 8)).not.toEqual(a);
    expect(validationSample(pool, s2, 0, 8)).not.toEqual(a);
    expect(validationSample(pool, s1, 0, 80)).toHaveLength(50);
    expect(() => validationSample([], s1, 0, 8)).toThrow(
      expect.objectContaining({ code: 'INVALID_VALIDATION_SET' }),
    );
    expect(() => validationSample(pool, new Uint8Array(8), 0, 8)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => validationSample(pool, s1, -1, 8)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('check 4: rate limits, n_k cap, payload', () => {
  const w = { max: 2, windowMs: 1000 };
  it('sliding windows count attempts in (now − window, now]', () => {
    expect(checkRateLimit([], 5000, w, 'identity').accepted).toBe(true);
    expect(checkRateLimit([4500], 5000, w, 'ip').accepted).toBe(true);
    expect(checkRateLimit([4500, 4999], 5000, w, 'ip')).toMatchObject({
      reason: 'rate_limited',
      value: { scope: 'ip', count: 2 },
    });
    expect(checkRateLimit([4000, 4999], 5000, w, 'ip').accepted).toBe(true); // 4000 is outside
    expect(checkRateLimit([4500, 6000], 5000, w, 'ip').accepted).toBe(true); // future times do not count
    expect(checkAcceptedCap(0, 1, 'connection').accepted).toBe(true);
    expect(checkAcceptedCap(1, 1, 'connection')).toMatchObject({
      reason: 'rate_limited',
      value: { scope: 'connection' },
    });
    const limiter = new RateLimiter();
    for (let t = 0; t < 10; t++) limiter.record('k', t * 100, w);
    expect(limiter.history('k').length).toBeLessThanOrEqual(w.max + 1);
    expect(checkRateLimit(limiter.history('k'), 950, w, 'identity').accepted).toBe(false);
  });

  it('n_k: the assigned data, else the configured maximum', () => {
    expect(checkNumSamplesCap(32, 32, 1000)).toMatchObject({
      accepted: true,
      value: { cap: 32, source: 'assigned' },
    });
    expect(checkNumSamplesCap(33, 32, 1000)).toMatchObject({ reason: 'num_samples_exceeds_cap' });
    expect(checkNumSamplesCap(999, undefined, 1000).accepted).toBe(true);
    expect(checkNumSamplesCap(1001, undefined, 1000)).toMatchObject({
      reason: 'num_samples_exceeds_cap',
      value: { source: 'maximum' },
    });
    expect(checkNumSamplesCap(64, 5000, 48)).toMatchObject({
      reason: 'num_samples_exceeds_cap',
      value: { cap: 48 },
    });
  });

  it('payload: at most every tensor in float32 plus the header allowance', () => {
    const schema = new Map([['w', [10, 10]]]);
    const max = maxUpdateBytes(schema);
    expect(max).toBe(8 + 16_384 + 512 + 400);
    expect(checkPayloadSize(max, schema).accepted).toBe(true);
    expect(checkPayloadSize(max + 1, schema)).toMatchObject({ reason: 'payload_too_large' });
  });
});

describe('check 5: copies', () => {
  it('sketch plans are secret, deterministic, and estimate cosine', () => {
    const big = new Map([
      ['x', [100, 1000]],
      ['y', [20_000]],
    ]);
    const s1 = new TextEncoder().encode('sketch secret one!');
    const p = sketchPlan(big, s1, 4096);
    expect(p.size).toBe(4096);
    expect(p.offsets.reduce((a, o) => a + o.length, 0)).toBe(4096);
    expect(sketchPlan(big, s1, 4096).offsets).toEqual(p.offsets);
    expect(sketchPlan(big, new TextEncoder().encode('sketch secret two!'), 4096).offsets).not.toEqual(
      p.offsets,
    );
    const small = new Map([['x', [3, 4]]]);
    expect(sketchPlan(small, s1, 4096).size).toBe(12);
    const rng = new SeededRng(3);
    const a = new Map([
      ['x', Float32Array.from({ length: 100_000 }, () => rng.nextGaussian())],
      ['y', Float32Array.from({ length: 20_000 }, () => rng.nextGaussian())],
    ]);
    const b = new Map([...a].map(([k, v]) => [k, v.map((x) => 0.6 * x + 0.8 * rng.nextGaussian())]));
    const flat = (m: Map<string, Float32Array>) => {
      const out = new Float32Array(120_000);
      out.set(m.get('x')!, 0);
      out.set(m.get('y')!, 100_000);
      return out;
    };
    const exact = cosine(flat(a), flat(b));
    const est = cosine(sketchUpdate(a, p), sketchUpdate(b, p));
    expect(Math.abs(exact - 0.6)).toBeLessThan(0.01);
    expect(Math.abs(est - exact)).toBeLessThan(0.05);
  });

  it('consensus: an update against the mean of the others is a sign flip; too few others skip the check', () => {
    const rule = { minCosine: 0, minOthers: 2 };
    const sum = Float64Array.from([2, 2, 0, 0]);
    expect(checkConsensus(Float32Array.from([1, 0, 1, 0]), sum, 2, rule)).toMatchObject({ accepted: true });
    expect(checkConsensus(Float32Array.from([-1, -1, 0, 0]), sum, 2, rule)).toMatchObject({
      reason: 'opposes_consensus',
      value: { others: 2 },
    });
    expect(checkConsensus(Float32Array.from([-1, -1, 0, 0]), sum, 1, rule)).toEqual({
      accepted: true,
      value: { cosine: null, others: 1 },
    });
    expect(checkConsensus(Float32Array.from([0, 0, 1, 0]), sum, 2, rule).accepted).toBe(true); // orthogonal
  });

  it('cosine above the threshold to any reference is a copy', () => {
    const x = Float32Array.from([1, 2, 3, 4]);
    const refs = [
      { label: 'orthogonal', sketch: Float32Array.from([2, -1, 4, -3]) },
      { label: 'scaled', sketch: Float32Array.from([2, 4, 6, 8]) },
    ];
    expect(checkCopy(x, [], 0.99)).toEqual({
      accepted: true,
      value: { maxCosine: null, closest: null, compared: 0 },
    });
    expect(checkCopy(x, refs.slice(0, 1), 0.99)).toMatchObject({ accepted: true, value: { maxCosine: 0 } });
    expect(checkCopy(x, refs, 0.99)).toMatchObject({ reason: 'copied_update', value: { closest: 'scaled' } });
    expect(checkCopy(x, refs, 1).accepted).toBe(true);
    expect(cosine(new Float32Array(4), x)).toBe(0);
  });
});
