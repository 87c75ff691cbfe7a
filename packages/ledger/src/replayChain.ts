import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeBlock } from './block';
import { type ChainParams, genesisHash } from './chainParams';
import { LedgerError } from './errors';
import { type ChainTip, executeBlock } from './executeBlock';
import { LedgerState } from './ledgerState';
import type { SignatureVerifier } from './signatureVerifier';
import { encodeSupply, SUPPLY_KEY } from './stateCodec';
import { StateDigest } from './stateHash';
import type { LedgerStore } from './store';
import { blockKey, STATE_PREFIX } from './storeLayout';

/** Result of a full local verification (`ailo ledger verify --json` prints it). */
export interface ChainReport {
  ok: boolean;
  /** Height reached by the replay (the tip when `ok`). */
  height: number;
  /** State hash after the replayed blocks, lowercase hex. */
  stateHash: string;
  /** Base units minted. */
  minted: bigint;
  /** Base units burned. */
  burned: bigint;
  /** Number of accounts. */
  accounts: number;
  /** Why verification failed, when it did. */
  error?: { code: string; message: string; height: number };
}

/**
 * Replays blocks 1…tip from `store` on an empty state with every rule checked (spec §10), then
 * checks that the replay ends at the stored tip, that the stored state entries hash to the
 * same state hash, and — by an independent sum — that Σ balances + burned = minted and no
 * balance is negative.
 */
export async function replayChain(
  store: LedgerStore,
  params: ChainParams,
  tip: ChainTip,
  verifier: SignatureVerifier,
): Promise<ChainReport> {
  const state = new LedgerState();
  const digest = new StateDigest();
  state.setSupply({ minted: 0n, burned: 0n });
  const genesis = digest.preview(new Map([[SUPPLY_KEY, encodeSupply(state.supply())]]));
  digest.apply(genesis);
  let at: ChainTip = {
    height: 0,
    hash: bytesToHex(genesisHash(params)),
    timestamp: 0,
    stateHash: bytesToHex(genesis.hash),
  };
  let checking = 0; // height whose checks run now
  const report = (error?: LedgerError): ChainReport => ({
    ok: error === undefined,
    height: at.height,
    stateHash: at.stateHash,
    minted: state.supply().minted,
    burned: state.supply().burned,
    accounts: state.accounts.size,
    ...(error ? { error: { code: error.code, message: error.shortMessage, height: checking } } : {}),
  });
  try {
    for (let h = 1; h <= tip.height; h++) {
      checking = h;
      const bytes = await store.get(blockKey(h));
      if (!bytes) throw new LedgerError('STORE_CORRUPT', `Block ${h} is missing from the store.`);
      const ex = await executeBlock(
        { state, digest, tip: at, params, verifier },
        decodeBlock(bytes, params.chainId),
      );
      ex.overlay.commit();
      digest.apply(ex.pendingHash);
      at = ex.tip;
    }
    checking = at.height;
    if (at.hash !== tip.hash || at.stateHash !== tip.stateHash) {
      throw new LedgerError('STORE_CORRUPT', 'Replay does not end at the stored tip.', {
        details: `replay ${at.hash}/${at.stateHash}, stored ${tip.hash}/${tip.stateHash}`,
      });
    }
    const stored = new StateDigest();
    const entries = new Map<string, Uint8Array>();
    for await (const [key, value] of store.entries(STATE_PREFIX))
      entries.set(key.slice(STATE_PREFIX.length), value);
    const storedHash = bytesToHex(stored.preview(entries).hash);
    if (storedHash !== at.stateHash) {
      throw new LedgerError('STORE_CORRUPT', 'Stored state differs from the replayed state.', {
        details: `stored ${storedHash}, replayed ${at.stateHash}`,
      });
    }
    let total = 0n;
    for (const [address, a] of state.accounts) {
      if (a.balance < 0n || a.locked < 0n || a.locked > a.balance) {
        throw new LedgerError('CONSERVATION_VIOLATED', 'An account breaks 0 <= locked <= balance.', {
          details: address,
        });
      }
      total += a.balance;
    }
    const { minted, burned } = state.supply();
    if (total + burned !== minted) {
      throw new LedgerError('CONSERVATION_VIOLATED', 'Balances + burned differ from minted.', {
        details: `balances ${total}, burned ${burned}, minted ${minted}`,
      });
    }
    return report();
  } catch (err) {
    if (err instanceof LedgerError) return report(err);
    return report(
      new LedgerError('STORE_ERROR', 'Verification failed unexpectedly.', {
        cause: err,
        details: String(err),
      }),
    );
  }
}
