import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeAddress } from './address';
import { applyTransaction } from './applyTransaction';
import { type Block, invalidTx } from './block';
import type { ChainParams } from './chainParams';
import { LedgerError } from './errors';
import { type LedgerState, StateOverlay, type StateView } from './ledgerState';
import type { SignatureCheck, SignatureVerifier } from './signatureVerifier';
import { overlayEntries } from './stateCodec';
import type { PendingStateHash, StateDigest } from './stateHash';
import type { SignedTransaction } from './transaction';

/** The last applied block (height 0 = genesis: hash = genesis hash, timestamp 0). */
export interface ChainTip {
  height: number;
  /** Block hash, lowercase hex. */
  hash: string;
  /** Block time, ms. */
  timestamp: number;
  /** State hash after the block, lowercase hex. */
  stateHash: string;
}

/** A fully checked block whose effects are staged in `overlay`, not yet committed. */
export interface ExecutedBlock {
  block: Block;
  overlay: StateOverlay;
  /** Changed state entries, encoded. */
  changes: Map<string, Uint8Array>;
  pendingHash: PendingStateHash;
  tip: ChainTip;
}

/** What {@link executeBlock} checks a block against. */
export interface ExecutionContext {
  state: LedgerState;
  digest: StateDigest;
  tip: ChainTip;
  params: ChainParams;
  verifier: SignatureVerifier;
  /** Local clock (ms) for the future-timestamp rule; omit when replaying history. */
  clock?: number;
}

/**
 * Runs every rule of a block (spec §9) without touching committed state: link to the tip,
 * timestamps, coordinator signature, every transaction signature (one `verifyMany` call, or
 * `signatures` when the caller already started them, in block order), every transaction's
 * state rules in order, conservation, and the state hash.
 * @throws {LedgerError} the first violated rule; the caller's state is unchanged.
 */
export async function executeBlock(
  ctx: ExecutionContext,
  block: Block,
  signatures?: Promise<boolean[]>,
): Promise<ExecutedBlock> {
  const { header } = block;
  const { tip, params } = ctx;
  if (header.height !== tip.height + 1) {
    throw new LedgerError('BLOCK_HEIGHT_MISMATCH', 'Block does not extend the tip.', {
      details: `block height ${header.height}, tip height ${tip.height}`,
    });
  }
  if (bytesToHex(header.prevHash) !== tip.hash) {
    throw new LedgerError('BLOCK_PREV_HASH_MISMATCH', 'Block does not link to the tip.', {
      details: `prev ${bytesToHex(header.prevHash)}, tip ${tip.hash}`,
    });
  }
  if (header.timestamp < tip.timestamp) {
    throw new LedgerError('BLOCK_TIMESTAMP', 'Block time is before the previous block.', {
      details: `${header.timestamp} < ${tip.timestamp}`,
    });
  }
  if (ctx.clock !== undefined && header.timestamp > ctx.clock + params.maxFutureSkewMs) {
    throw new LedgerError('BLOCK_TIMESTAMP', 'Block time is too far in the future.', {
      details: `block ${header.timestamp}, local clock ${ctx.clock}, skew ${params.maxFutureSkewMs} ms`,
    });
  }
  if (!ctx.verifier.verify(block.signature, block.headerSigningBytes, decodeAddress(params.coordinator))) {
    throw new LedgerError('BLOCK_BAD_SIGNATURE', 'Block is not signed by the coordinator.', {
      details: `height ${header.height}`,
    });
  }
  // Signatures are checked (possibly on other threads) while the rules run here; the block is
  // accepted only if both pass. The first failing transaction in block order is reported.
  const sigResults = signatures ?? ctx.verifier.verifyMany(block.transactions.map(signatureCheck));
  const overlay = new StateOverlay(ctx.state);
  const applyCtx = { params, now: header.timestamp, height: header.height };
  let ruleFailure: { index: number; cause: unknown } | undefined;
  for (let i = 0; i < block.transactions.length; i++) {
    try {
      applyTransaction(overlay, block.transactions[i]!, applyCtx);
    } catch (cause) {
      ruleFailure = { index: i, cause };
      break;
    }
  }
  // The state hash is computed before waiting for the signatures, so it overlaps with them;
  // its errors are raised only after the signature verdicts, keeping the order of reports.
  let outcome: { changes: Map<string, Uint8Array>; pendingHash: PendingStateHash } | { error: unknown };
  try {
    if (ruleFailure) throw invalidTx(ruleFailure.index, ruleFailure.cause);
    checkConservation(overlay);
    const changes = overlayEntries(overlay);
    outcome = { changes, pendingHash: ctx.digest.preview(changes) };
  } catch (error) {
    outcome = { error };
  }
  const badSignature = (await sigResults).indexOf(false);
  if (badSignature >= 0 && (ruleFailure === undefined || badSignature <= ruleFailure.index)) {
    throw invalidTx(badSignature, new LedgerError('BAD_SIGNATURE', 'Transaction signature is invalid.'));
  }
  if ('error' in outcome) throw outcome.error;
  const { changes, pendingHash } = outcome;
  const stateHash = bytesToHex(pendingHash.hash);
  if (stateHash !== bytesToHex(header.stateHash)) {
    throw new LedgerError(
      'BLOCK_STATE_HASH_MISMATCH',
      'State after the block does not match its state hash.',
      {
        details: `height ${header.height}: header ${bytesToHex(header.stateHash)}, computed ${stateHash}`,
      },
    );
  }
  return {
    block,
    overlay,
    changes,
    pendingHash,
    tip: { height: header.height, hash: block.hash, timestamp: header.timestamp, stateHash },
  };
}

/** The signature check of a transaction. */
export function signatureCheck(t: SignedTransaction): SignatureCheck {
  return { signature: t.signature, message: t.signingBytes, publicKey: t.fromKey };
}

/**
 * Σ balances + burned = minted (spec §6).
 * @throws {LedgerError} `CONSERVATION_VIOLATED`
 */
export function checkConservation(view: StateView): void {
  const { minted, burned } = view.supply();
  const total = view.totalBalance();
  if (total + burned !== minted) {
    throw new LedgerError('CONSERVATION_VIOLATED', 'Balances + burned differ from minted.', {
      details: `balances ${total}, burned ${burned}, minted ${minted}`,
    });
  }
}
