import { isActive, quorumReached, reportTally } from './activeNodes';
import type { Address } from './address';
import type { ChainParams } from './chainParams';
import { BPS_DENOMINATOR, CONFIRMATIONS_REQUIRED, MAX_SUPPLY } from './constants';
import { LedgerError } from './errors';
import type { Account, StateView, TransferRecord } from './ledgerState';
import type { SignedTransaction } from './transaction';

/** Where a transaction is applied. */
export interface ApplyContext {
  params: ChainParams;
  /** Block time in ms; the clock for skew and activity rules. */
  now: number;
  /** Height of the block being built or applied. */
  height: number;
}

const EMPTY: Readonly<Account> = {
  balance: 0n,
  locked: 0n,
  lastNonce: null,
  lastContributionAt: null,
  username: null,
};

/** Split of one fee (spec §6): the burned share rounds down; the operator gets the rest, dust included. */
export function splitFee(fee: bigint, burnShareBps: number): { burned: bigint; operator: bigint } {
  const burned = (fee * BigInt(burnShareBps)) / BigInt(BPS_DENOMINATOR);
  return { burned, operator: fee - burned };
}

/**
 * Applies the state rules of one transaction (spec §5–§8) to `view`. Every check runs before
 * the first write, so a thrown error leaves `view` untouched. Assumes the signature and the
 * stateless field rules were already checked (`verifyTransaction`, `decodeTransaction`).
 * @throws {LedgerError} the first violated rule.
 */
export function applyTransaction(view: StateView, stx: SignedTransaction, ctx: ApplyContext): void {
  const { tx } = stx;
  const { params, now } = ctx;
  if (tx.timestamp > now + params.maxFutureSkewMs) {
    throw new LedgerError('TIMESTAMP_IN_FUTURE', 'Transaction timestamp is too far in the future.', {
      details: `timestamp ${tx.timestamp}, block time ${now}, skew ${params.maxFutureSkewMs} ms`,
    });
  }
  const sender = view.account(tx.from) ?? EMPTY;
  if (sender.lastNonce !== null && tx.nonce <= sender.lastNonce) {
    throw new LedgerError('NONCE_NOT_INCREASING', 'Nonce must exceed the sender’s previous nonce.', {
      details: `nonce ${tx.nonce}, previous ${sender.lastNonce}`,
    });
  }
  const bumpNonce = (): void =>
    setAccount(view, tx.from, { ...(view.account(tx.from) ?? EMPTY), lastNonce: tx.nonce });

  switch (tx.type) {
    case 'MINT': {
      requireCoordinator(tx.from, params);
      const supply = view.supply();
      if (supply.minted + tx.amount > MAX_SUPPLY) {
        throw new LedgerError('SUPPLY_EXCEEDED', 'MINT would exceed the maximum supply.', {
          details: `minted ${supply.minted}, amount ${tx.amount}, max ${MAX_SUPPLY}`,
        });
      }
      const to = tx.to!;
      bumpNonce();
      const r = view.account(to) ?? EMPTY;
      setAccount(view, to, { ...r, balance: r.balance + tx.amount, lastContributionAt: now });
      view.setSupply({ ...supply, minted: supply.minted + tx.amount });
      return;
    }
    case 'TRANSFER': {
      if (view.transfer(stx.id)) {
        throw new LedgerError('DUPLICATE_TRANSACTION', 'Transaction is already on the ledger.', {
          details: stx.id,
        });
      }
      const spendable = sender.balance - sender.locked;
      if (spendable < tx.amount + tx.fee) {
        throw new LedgerError('INSUFFICIENT_FUNDS', 'Spendable balance is below amount + fee.', {
          details: `spendable ${spendable}, needed ${tx.amount + tx.fee} (unconfirmed incoming ${sender.locked})`,
        });
      }
      const to = tx.to!;
      const { burned, operator } = splitFee(tx.fee, params.burnShareBps);
      const s = view.account(tx.from) ?? EMPTY;
      setAccount(view, tx.from, { ...s, balance: s.balance - tx.amount - tx.fee, lastNonce: tx.nonce });
      const r = view.account(to) ?? EMPTY;
      setAccount(view, to, { ...r, balance: r.balance + tx.amount, locked: r.locked + tx.amount });
      if (operator > 0n) {
        const o = view.account(params.operator) ?? EMPTY;
        setAccount(view, params.operator, { ...o, balance: o.balance + operator });
      }
      if (burned > 0n) {
        const supply = view.supply();
        view.setSupply({ ...supply, burned: supply.burned + burned });
      }
      view.setTransfer(stx.id, {
        from: tx.from,
        to,
        amount: tx.amount,
        status: 'PENDING',
        height: ctx.height,
        verifiers: [],
        reporters: [],
      });
      return;
    }
    case 'VERIFY': {
      const record = targetTransfer(view, tx.reference, tx.from);
      if (record.verifiers.includes(tx.from)) {
        throw new LedgerError('ALREADY_VOTED', 'This node already verified the transfer.', {
          details: tx.reference,
        });
      }
      if (record.status === 'CONFIRMED') {
        throw new LedgerError(
          'ALREADY_CONFIRMED',
          `Transfer already has ${CONFIRMATIONS_REQUIRED} verifications.`,
          {
            details: tx.reference,
          },
        );
      }
      if (record.status === 'REVERSED') {
        throw new LedgerError('ALREADY_REVERSED', 'Transfer was reversed.', { details: tx.reference });
      }
      if (record.status === 'DISPUTED') {
        throw new LedgerError('TRANSFER_DISPUTED', 'Transfer is disputed; it can no longer be confirmed.', {
          details: tx.reference,
        });
      }
      requireActive(view, tx.from, ctx);
      const verifiers = [...record.verifiers, tx.from];
      const confirmed = verifiers.length >= CONFIRMATIONS_REQUIRED;
      bumpNonce();
      view.setTransfer(tx.reference, {
        ...record,
        verifiers,
        status: confirmed ? 'CONFIRMED' : record.status,
      });
      if (confirmed) {
        const r = view.account(record.to) ?? EMPTY;
        setAccount(view, record.to, { ...r, locked: r.locked - record.amount });
      }
      return;
    }
    case 'REPORT': {
      const record = targetTransfer(view, tx.reference, tx.from);
      if (record.reporters.includes(tx.from)) {
        throw new LedgerError('ALREADY_VOTED', 'This node already reported the transfer.', {
          details: tx.reference,
        });
      }
      if (record.status === 'REVERSED') {
        throw new LedgerError('ALREADY_REVERSED', 'Transfer was reversed.', { details: tx.reference });
      }
      requireActive(view, tx.from, ctx);
      const next: TransferRecord = { ...record, reporters: [...record.reporters, tx.from] };
      if (record.status !== 'CONFIRMED') {
        const { votes, eligible } = reportTally(view, next, now, params.activeWindowMs);
        next.status =
          record.status === 'DISPUTED' || quorumReached(votes, eligible) ? 'DISPUTED' : 'REPORTED';
      }
      bumpNonce();
      view.setTransfer(tx.reference, next);
      return;
    }
    case 'REVERSAL': {
      requireCoordinator(tx.from, params);
      const record = view.transfer(tx.reference);
      if (!record) {
        throw new LedgerError('UNKNOWN_TRANSFER', 'REVERSAL refers to no transfer.', {
          details: tx.reference,
        });
      }
      if (tx.to !== record.from || tx.amount !== record.amount) {
        throw new LedgerError(
          'REVERSAL_MISMATCH',
          'REVERSAL must return the transfer amount to its sender.',
          {
            details: `expected to ${record.from} amount ${record.amount}, got to ${tx.to} amount ${tx.amount}`,
          },
        );
      }
      if (record.status === 'CONFIRMED') {
        throw new LedgerError('TRANSFER_FINAL', 'A confirmed transfer is final and cannot be reversed.', {
          details: tx.reference,
        });
      }
      if (record.status === 'REVERSED') {
        throw new LedgerError('ALREADY_REVERSED', 'Transfer was already reversed.', {
          details: tx.reference,
        });
      }
      if (record.reporters.length === 0) {
        throw new LedgerError('NOT_REPORTED', 'Transfer has no reports.', { details: tx.reference });
      }
      const { votes, eligible } = reportTally(view, record, now, params.activeWindowMs);
      if (!quorumReached(votes, eligible)) {
        throw new LedgerError('QUORUM_NOT_MET', 'Reports do not reach 51% of active nodes.', {
          details: `${votes} active reporter(s) of ${eligible} eligible active node(s)`,
        });
      }
      bumpNonce();
      const r = view.account(record.to) ?? EMPTY;
      setAccount(view, record.to, {
        ...r,
        balance: r.balance - record.amount,
        locked: r.locked - record.amount,
      });
      const s = view.account(record.from) ?? EMPTY;
      setAccount(view, record.from, { ...s, balance: s.balance + record.amount });
      view.setTransfer(tx.reference, { ...record, status: 'REVERSED' });
      return;
    }
    case 'REGISTER': {
      const username = tx.reference;
      if (view.usernameOwner(username) !== undefined) {
        throw new LedgerError('USERNAME_TAKEN', 'Username is already registered.', { details: username });
      }
      if (sender.username !== null) {
        throw new LedgerError('ALREADY_REGISTERED', 'Address already has a username.', {
          details: `${tx.from} is "${sender.username}"`,
        });
      }
      setAccount(view, tx.from, { ...sender, username, lastNonce: tx.nonce });
      view.setUsername(username, tx.from);
      return;
    }
  }
}

function requireCoordinator(from: Address, params: ChainParams): void {
  if (from !== params.coordinator) {
    throw new LedgerError('NOT_COORDINATOR', 'Only the coordinator may issue MINT and REVERSAL.', {
      details: `from ${from}`,
    });
  }
}

function requireActive(view: StateView, address: Address, ctx: ApplyContext): void {
  if (!isActive(view, address, ctx.now, ctx.params.activeWindowMs)) {
    throw new LedgerError('NOT_ACTIVE', 'Only nodes with a recent verified contribution may vote.', {
      details: `${address} has no MINT within ${ctx.params.activeWindowMs} ms of ${ctx.now}`,
    });
  }
}

function targetTransfer(view: StateView, id: string, voter: Address): Readonly<TransferRecord> {
  const record = view.transfer(id);
  if (!record) {
    throw new LedgerError(
      'UNKNOWN_TRANSFER',
      'No TRANSFER with this id (only transfers are verified or reported).',
      {
        details: id,
      },
    );
  }
  if (voter === record.from || voter === record.to) {
    throw new LedgerError('NOT_ELIGIBLE', 'The sender and the recipient of a transfer cannot vote on it.', {
      details: `${voter} on ${id}`,
    });
  }
  return record;
}

/** Writes an account after checking 0 ≤ locked ≤ balance (a violation is a bug, never input). */
function setAccount(view: StateView, address: Address, account: Account): void {
  if (account.balance < 0n || account.locked < 0n || account.locked > account.balance) {
    throw new LedgerError('CONSERVATION_VIOLATED', 'Account invariant 0 <= locked <= balance broken.', {
      details: `${address}: balance ${account.balance}, locked ${account.locked}`,
    });
  }
  view.setAccount(address, account);
}
