import { verifyStrict } from './ed25519';

/** One Ed25519 signature to check. */
export interface SignatureCheck {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * Checks Ed25519 signatures under the ledger's one rule (spec §4). Implementations differ only
 * in speed: each must accept exactly what {@link verifyStrict} accepts.
 */
export interface SignatureVerifier {
  /** Short name for logs and benchmarks, e.g. `"portable"`, `"node:crypto"`. */
  readonly name: string;
  /** Checks one signature. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /** Checks many signatures, possibly in parallel; results are in input order. Never rejects. */
  verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]>;
}

/** The portable verifier (`@noble/ed25519`, pure JS); works in every runtime. */
export const portableVerifier: SignatureVerifier = {
  name: 'portable',
  verify: verifyStrict,
  async verifyMany(checks) {
    return checks.map((c) => verifyStrict(c.signature, c.message, c.publicKey));
  },
};
