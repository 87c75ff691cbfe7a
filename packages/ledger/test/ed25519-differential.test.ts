import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { portableVerifier, signBytes, verifyStrict } from '../src/index';
import { nodeVerifier } from '../src/node';
import { opensslVerify } from '../src/node/opensslVerify';
import { VerifierPool } from '../src/node/verifierPool';
import { testKey } from './testChain';
import { type SigCase, torsionCases } from './torsionCases';

const dir = join(import.meta.dirname, 'vectors', 'ed25519');
const json = (f: string): any => JSON.parse(readFileSync(join(dir, f), 'utf8'));

interface Case extends SigCase {
  /** Result the vector file states for a strict RFC 8032 verifier, when it states one. */
  expected?: boolean;
}

function vectorCases(): Case[] {
  const out: Case[] = [];
  for (const v of json('rfc8032-ed25519.json')) {
    out.push({
      name: 'rfc8032',
      publicKey: hexToBytes(v.pub),
      message: hexToBytes(v.msg),
      signature: hexToBytes(v.sig),
      expected: true,
    });
  }
  for (const g of json('ed25519_test.json').testGroups) {
    for (const t of g.tests) {
      out.push({
        name: `wycheproof #${t.tcId} ${t.comment}`,
        publicKey: hexToBytes(g.publicKey.pk),
        message: hexToBytes(t.msg),
        signature: hexToBytes(t.sig),
        expected: t.result === 'valid',
      });
    }
  }
  for (const v of json('zip215.json')) {
    // every ZIP-215 case uses a small-order key: the strict rule rejects all of them
    out.push({
      name: 'zip215',
      publicKey: hexToBytes(v.vk_bytes),
      message: new TextEncoder().encode('Zcash'),
      signature: hexToBytes(v.sig_bytes),
      expected: false,
    });
  }
  for (const v of json('edge-cases.json')) {
    out.push({
      name: 'edge-case',
      publicKey: hexToBytes(v.pub_key),
      message: hexToBytes(v.message),
      signature: hexToBytes(v.signature),
    });
  }
  for (const line of readFileSync(join(dir, 'djb-sign-input.txt'), 'utf8').trim().split('\n')) {
    const [, pub, msg, sigMsg] = line.split(':');
    out.push({
      name: 'djb sign.input',
      publicKey: hexToBytes(pub!),
      message: hexToBytes(msg!),
      signature: hexToBytes(sigMsg!.slice(0, 128)),
      expected: true,
    });
  }
  return out;
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le32 = (n: bigint): Uint8Array =>
  Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
const leNum = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

/** Hostile inputs built around one honest signature. */
function hostileCases(): Case[] {
  const key = testKey(7);
  const message = new TextEncoder().encode('hostile');
  const good = signBytes(message, key.secretKey);
  const withS = (s: Uint8Array): Uint8Array => Uint8Array.from([...good.subarray(0, 32), ...s]);
  const withR = (r: Uint8Array): Uint8Array => Uint8Array.from([...r, ...good.subarray(32)]);
  const S = leNum(good.subarray(32));
  const P = 2n ** 255n - 19n;
  const c = (name: string, signature: Uint8Array, publicKey = key.publicKey, expected = false): Case => ({
    name,
    signature,
    publicKey,
    message,
    expected,
  });
  return [
    c('honest signature', good, key.publicKey, true),
    c('S + L (non-canonical scalar)', withS(le32(S + L))),
    c('S = L', withS(le32(L))),
    c('S = 2^256 - 1', withS(new Uint8Array(32).fill(0xff))),
    c('S = 0', withS(new Uint8Array(32))),
    c('R = identity, non-canonical y = p + 1', withR(le32(P + 1n))),
    c('R with sign bit on x = 0', withR(Uint8Array.from([1, ...new Uint8Array(30), 0x80]))),
    c('R = all 0xff', withR(new Uint8Array(32).fill(0xff))),
    c('A = identity', good, le32(1n)),
    c('A = identity, non-canonical y = p + 1', good, le32(P + 1n)),
    c('A = (0, -1), non-canonical y = p', good, le32(P)),
    c('A with sign bit on x = 0', good, Uint8Array.from([1, ...new Uint8Array(30), 0x80])),
    c('A not on the curve', good, le32(2n)),
    c('A = all zero', good, new Uint8Array(32)),
    c(
      'A with the top bit flipped',
      good,
      Uint8Array.from([...key.publicKey.subarray(0, 31), key.publicKey[31]! ^ 0x80]),
    ),
    c('signature of 63 bytes', good.subarray(0, 63)),
    c('signature of 65 bytes', Uint8Array.from([...good, 0])),
    c('public key of 31 bytes', good, key.publicKey.subarray(0, 31)),
    c('message changed', good, key.publicKey),
  ].map((x, i, all) => (i === all.length - 1 ? { ...x, message: new TextEncoder().encode('hostilE') } : x));
}

const SPKI = hexToBytes('302a300506032b6570032100');
/** Bare OpenSSL, without the pre-checks and fallback of `nodeVerifier`. */
function bareOpenSsl(c: Case): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from([...SPKI, ...c.publicKey]), format: 'der', type: 'spki' });
    return cryptoVerify(null, c.message, key, c.signature);
  } catch {
    return false;
  }
}

describe('one verification rule: portable vs node:crypto', () => {
  const cases: Case[] = [...vectorCases(), ...hostileCases(), ...torsionCases(testKey(9).secretKey)];
  let strictCache: boolean[] | undefined;
  const strict = (): boolean[] =>
    (strictCache ??= cases.map((c) => verifyStrict(c.signature, c.message, c.publicKey)));

  it('loads every vector file', () => {
    expect(cases.length).toBeGreaterThan(400);
  });

  it('the portable rule gives the result each vector file states', () => {
    const wrong = cases.filter((c, i) => c.expected !== undefined && strict()[i] !== c.expected);
    expect(wrong.map((c) => c.name)).toEqual([]);
  });

  it('nodeVerifier.verify accepts exactly what the portable rule accepts', () => {
    const differ = cases.filter(
      (c, i) => nodeVerifier.verify(c.signature, c.message, c.publicKey) !== strict()[i],
    );
    expect(differ.map((c) => c.name)).toEqual([]);
  });

  it('nodeVerifier.verifyMany (thread pool) accepts exactly what the portable rule accepts', async () => {
    expect(await nodeVerifier.verifyMany(cases)).toEqual(strict());
    // the portable verifier's batch form is the same rule
    expect(await portableVerifier.verifyMany(cases.slice(0, 40))).toEqual(strict().slice(0, 40));
  });

  it('bare OpenSSL differs on small-order keys and torsion components: the pre-checks and fallback matter', () => {
    const differ = cases.filter((c, i) => bareOpenSsl(c) !== strict()[i]);
    const names = differ.map((c) => c.name);
    expect(names.some((n) => n === 'zip215')).toBe(true); // OpenSSL accepts some small-order keys
    expect(names.some((n) => n.startsWith('mixed-order R'))).toBe(true); // cofactored accepts, cofactorless rejects
    // and where OpenSSL accepts, strict accepts too once the key passes the pre-checks
    for (const c of differ) {
      if (bareOpenSsl(c)) expect(nodeVerifier.verify(c.signature, c.message, c.publicKey)).toBe(false);
    }
  });

  it('OpenSSL with JWK-imported keys (the fast path) gives the bare OpenSSL verdict on every case', () => {
    const differ = cases.filter((c) => opensslVerify(c.signature, c.message, c.publicKey) !== bareOpenSsl(c));
    expect(differ.map((c) => c.name)).toEqual([]);
  });

  it('the pool gives the bare OpenSSL verdicts whichever threads do the work', async () => {
    const sized = cases.filter((c) => c.signature.length === 64 && c.publicKey.length === 32);
    const want = sized.map((c) => (bareOpenSsl(c) ? 1 : 0));
    expect(want).toContain(0);
    expect(want).toContain(1);
    const shapes = [
      { workers: 2, help: false }, // worker threads only
      { workers: 0 }, // the calling thread only
      { workers: 1 }, // both, as nodeVerifier runs it
    ];
    for (const shape of shapes) {
      const pool = new VerifierPool(shape);
      try {
        expect([...(await pool.verify(sized))], JSON.stringify(shape)).toEqual(want);
        expect([...(await pool.verify(sized.slice(3, 9)))], JSON.stringify(shape)).toEqual(want.slice(3, 9));
      } finally {
        await pool.close();
      }
    }
  });

  it('closing the pool rejects a batch in flight instead of leaving it pending', async () => {
    const honest = cases.filter((c) => c.name === 'rfc8032')[0]!;
    const pool = new VerifierPool({ workers: 1, help: false });
    const pending = pool.verify(Array.from({ length: 2000 }, () => honest));
    const rejected = expect(pending).rejects.toThrow('closed');
    await pool.close();
    await rejected;
    await expect(pool.verify([honest])).rejects.toThrow();
  });

  it('the pool refuses items whose key or signature has the wrong length', async () => {
    const honest = cases.filter((c) => c.name === 'rfc8032')[0]!;
    const pool = new VerifierPool({ workers: 0 });
    await expect(pool.verify([{ ...honest, signature: honest.signature.subarray(0, 63) }])).rejects.toThrow(
      RangeError,
    );
    await expect(pool.verify([{ ...honest, publicKey: new Uint8Array(33) }])).rejects.toThrow(RangeError);
    expect([...(await pool.verify([honest]))]).toEqual([1]);
    await pool.close();
  });

  it('mixed-order R signatures are accepted by the cofactored rule on both paths', () => {
    const mixed = torsionCases(testKey(9).secretKey).filter((c) => c.name.startsWith('mixed-order R ('));
    for (const c of mixed) {
      expect(verifyStrict(c.signature, c.message, c.publicKey)).toBe(true);
      expect(nodeVerifier.verify(c.signature, c.message, c.publicKey)).toBe(true);
    }
  });
});
