import { type Address, CHAIN_ID_PATTERN, decodeAddress, type KeyPair, signBytes } from '@ailo/ledger';
import { CONTRIBUTION_DOMAIN, META_NONCE, META_SIGNATURE, META_SIGNER, META_UPDATE_HASH } from './constants';
import { PocError } from './errors';

/** What a client signs for one update (Design §PoC 1). */
export interface ContributionClaim {
  /** round t, a non-negative safe integer */
  round: number;
  /** modelHash(M_t): 64 lowercase hex digits */
  base: string;
  /** modelHash(Δ_k): 64 lowercase hex digits */
  deltaHash: string;
  /** n_k, a positive safe integer */
  numSamples: number;
  /** per-identity counter, strictly increasing across the identity's submissions (u64) */
  nonce: bigint;
}

/** A signed claim: the client's wallet identity and its Ed25519 signature. */
export interface ContributionProof {
  claim: ContributionClaim;
  /** `ailo1…` address of the signing key; the client's identity in the round */
  signer: Address;
  /** 64 bytes */
  signature: Uint8Array;
}

const HASH = /^[0-9a-f]{64}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const SIGNATURE_HEX = /^[0-9a-f]{128}$/;
const MAX_U64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function invalid(what: string, value: unknown): never {
  throw new PocError('INVALID_PROOF', `Contribution claim ${what}.`, {
    details: `Got ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)}.`,
    meta: { field: what.split(' ')[0] },
  });
}

/** @throws PocError `INVALID_PROOF` */
function checkClaimFields(c: ContributionClaim): void {
  if (!Number.isSafeInteger(c.round) || c.round < 0) invalid('round must be a non-negative integer', c.round);
  if (typeof c.base !== 'string' || !HASH.test(c.base))
    invalid('base must be 64 lowercase hex digits', c.base);
  if (typeof c.deltaHash !== 'string' || !HASH.test(c.deltaHash)) {
    invalid('deltaHash must be 64 lowercase hex digits', c.deltaHash);
  }
  if (!Number.isSafeInteger(c.numSamples) || c.numSamples < 1) {
    invalid('numSamples must be a positive integer', c.numSamples);
  }
  if (typeof c.nonce !== 'bigint' || c.nonce < 0n || c.nonce > MAX_U64)
    invalid('nonce must be a u64 bigint', c.nonce);
}

/**
 * The exact bytes signed for a claim: `UTF-8("ailo-poc-contribution-v1") ‖ 0x00 ‖ UTF-8(chainId) ‖ 0x00 ‖
 * u64le round ‖ base (32 bytes) ‖ deltaHash (32 bytes) ‖ u64le n_k ‖ u64le nonce`. The domain tag and
 * chain id keep a contribution signature from ever verifying as a ledger transaction or on another chain.
 * @throws PocError `INVALID_PROOF` (field out of range), `INVALID_INPUT` (chain id)
 */
export function contributionSigningBytes(claim: ContributionClaim, chainId: string): Uint8Array {
  if (typeof chainId !== 'string' || !CHAIN_ID_PATTERN.test(chainId)) {
    throw new PocError('INVALID_INPUT', 'Chain id must match [a-z0-9][a-z0-9-]{0,63}.', {
      details: `Got ${JSON.stringify(chainId)}.`,
    });
  }
  checkClaimFields(claim);
  const domain = utf8.encode(CONTRIBUTION_DOMAIN);
  const chain = utf8.encode(chainId);
  const out = new Uint8Array(domain.length + chain.length + 2 + 8 + 32 + 32 + 8 + 8);
  const dv = new DataView(out.buffer);
  let o = 0;
  out.set(domain, o);
  o += domain.length + 1;
  out.set(chain, o);
  o += chain.length + 1;
  dv.setBigUint64(o, BigInt(claim.round), true);
  o += 8;
  out.set(hexBytes(claim.base), o);
  o += 32;
  out.set(hexBytes(claim.deltaHash), o);
  o += 32;
  dv.setBigUint64(o, BigInt(claim.numSamples), true);
  o += 8;
  dv.setBigUint64(o, claim.nonce, true);
  return out;
}

/**
 * Signs a claim with the client's wallet key (the ledger's Ed25519 signer).
 * @throws PocError `INVALID_PROOF`, `INVALID_INPUT`
 */
export function signContribution(claim: ContributionClaim, key: KeyPair, chainId: string): ContributionProof {
  const signature = signBytes(contributionSigningBytes(claim, chainId), key.secretKey);
  return { claim: { ...claim }, signer: key.address, signature };
}

/** The update-file `__metadata__` entries that carry a proof (round, base and n_k are the file's own keys). */
export function proofToMetadata(proof: ContributionProof): Record<string, string> {
  return {
    [META_SIGNER]: proof.signer,
    [META_UPDATE_HASH]: proof.claim.deltaHash,
    [META_NONCE]: proof.claim.nonce.toString(),
    [META_SIGNATURE]: toHex(proof.signature),
  };
}

/**
 * Reads a proof from update-file metadata; the claim's round, base and n_k are the file's own
 * (`round`, `base`, `num_samples`), the signed update hash is `poc_update_hash` (checked later
 * against the hash of the file's tensors). Returns `undefined` when the file carries no proof.
 * @throws PocError `INVALID_PROOF` when the proof entries are present but malformed
 */
export function proofFromMetadata(
  metadata: Readonly<Record<string, string>>,
  file: { round: number; base: string; numSamples: number },
): ContributionProof | undefined {
  const keys = [META_SIGNER, META_UPDATE_HASH, META_NONCE, META_SIGNATURE];
  const present = keys.filter((k) => metadata[k] !== undefined);
  if (present.length === 0) return undefined;
  const signer = metadata[META_SIGNER];
  const deltaHash = metadata[META_UPDATE_HASH];
  const nonce = metadata[META_NONCE];
  const signature = metadata[META_SIGNATURE];
  if (signer === undefined || deltaHash === undefined || nonce === undefined || signature === undefined) {
    throw new PocError('INVALID_PROOF', 'Update file carries an incomplete contribution proof.', {
      details: `Expected all of ${keys.join(', ')}; got ${present.join(', ')}.`,
    });
  }
  try {
    decodeAddress(signer);
  } catch (cause) {
    throw new PocError('INVALID_PROOF', `Update file ${META_SIGNER} is not an ailo1… address.`, { cause });
  }
  if (!DECIMAL.test(nonce) || BigInt(nonce) > MAX_U64) invalid(`${META_NONCE} must be a decimal u64`, nonce);
  if (!SIGNATURE_HEX.test(signature))
    invalid(`${META_SIGNATURE} must be 128 lowercase hex digits`, signature);
  const claim: ContributionClaim = { ...file, deltaHash, nonce: BigInt(nonce) };
  checkClaimFields(claim);
  return { claim, signer: signer as Address, signature: hexBytes(signature) };
}
