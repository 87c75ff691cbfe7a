import type { Address } from './address';

/**
 * Status of a TRANSFER (spec §7, §8). PENDING → CONFIRMED after 10 verifications (final);
 * PENDING → REPORTED on the first report → DISPUTED once reports reach the quorum →
 * REVERSED by the coordinator's REVERSAL. CONFIRMED and REVERSED are terminal.
 */
export type TransferStatus = 'PENDING' | 'REPORTED' | 'DISPUTED' | 'CONFIRMED' | 'REVERSED';

/** One account (spec §10). Invariant: 0 ≤ locked ≤ balance. */
export interface Account {
  /** All units held, base units. */
  balance: bigint;
  /** Part of `balance` received by transfers that are not yet confirmed; not spendable. */
  locked: bigint;
  /** Nonce of the account's last transaction, `null` before its first. */
  lastNonce: bigint | null;
  /** Block time (ms) of the last MINT to this account: its last verified contribution. */
  lastContributionAt: number | null;
  /** Username bound by REGISTER. */
  username: string | null;
}

/** Ledger record of a TRANSFER, keyed by its transaction id (spec §10). */
export interface TransferRecord {
  from: Address;
  to: Address;
  /** Base units moved (the fee is not included). */
  amount: bigint;
  status: TransferStatus;
  /** Height of the block that included the transfer. */
  height: number;
  /** Distinct verifiers in arrival order; at most 10. */
  verifiers: Address[];
  /** Distinct reporters in arrival order. */
  reporters: Address[];
}

/** Issued and destroyed units (spec §6). Invariant: Σ balances + burned = minted. */
export interface Supply {
  minted: bigint;
  burned: bigint;
}

/** Read/write access to ledger state; implemented by {@link LedgerState} and {@link StateOverlay}. */
export interface StateView {
  account(address: Address): Readonly<Account> | undefined;
  setAccount(address: Address, account: Account): void;
  transfer(id: string): Readonly<TransferRecord> | undefined;
  setTransfer(id: string, record: TransferRecord): void;
  usernameOwner(username: string): Address | undefined;
  setUsername(username: string, owner: Address): void;
  supply(): Readonly<Supply>;
  setSupply(supply: Supply): void;
  /** Every account with a contribution time, as [address, lastContributionAt]; each address once. */
  contributions(): Iterable<[Address, number]>;
  /** Σ balances of all accounts, base units (kept incrementally; see `checkConservation`). */
  totalBalance(): bigint;
}

/** The committed state: plain maps plus an index of contributors for the active-node count. */
export class LedgerState implements StateView {
  readonly accounts = new Map<Address, Account>();
  readonly transfers = new Map<string, TransferRecord>();
  readonly usernames = new Map<string, Address>();
  private supplyValue: Supply = { minted: 0n, burned: 0n };
  private readonly contributors = new Map<Address, number>();
  private total = 0n;

  account(address: Address): Readonly<Account> | undefined {
    return this.accounts.get(address);
  }
  setAccount(address: Address, account: Account): void {
    this.total += account.balance - (this.accounts.get(address)?.balance ?? 0n);
    this.accounts.set(address, account);
    if (account.lastContributionAt !== null) this.contributors.set(address, account.lastContributionAt);
  }
  transfer(id: string): Readonly<TransferRecord> | undefined {
    return this.transfers.get(id);
  }
  setTransfer(id: string, record: TransferRecord): void {
    this.transfers.set(id, record);
  }
  usernameOwner(username: string): Address | undefined {
    return this.usernames.get(username);
  }
  setUsername(username: string, owner: Address): void {
    this.usernames.set(username, owner);
  }
  supply(): Readonly<Supply> {
    return this.supplyValue;
  }
  setSupply(supply: Supply): void {
    this.supplyValue = supply;
  }
  contributions(): Iterable<[Address, number]> {
    return this.contributors.entries();
  }
  totalBalance(): bigint {
    return this.total;
  }
}

/**
 * Copy-on-write changes over a base view. Nothing reaches the base until {@link commit}; a
 * failed block or transaction is discarded by dropping the overlay, so nothing is partially
 * applied. Callers must not mutate objects returned by getters; they write new ones.
 */
export class StateOverlay implements StateView {
  readonly accounts = new Map<Address, Account>();
  readonly transfers = new Map<string, TransferRecord>();
  readonly usernames = new Map<string, Address>();
  private supplyValue: Supply | undefined;
  private balanceDelta = 0n;

  constructor(readonly base: StateView) {}

  account(address: Address): Readonly<Account> | undefined {
    return this.accounts.get(address) ?? this.base.account(address);
  }
  setAccount(address: Address, account: Account): void {
    this.balanceDelta += account.balance - (this.account(address)?.balance ?? 0n);
    this.accounts.set(address, account);
  }
  transfer(id: string): Readonly<TransferRecord> | undefined {
    return this.transfers.get(id) ?? this.base.transfer(id);
  }
  setTransfer(id: string, record: TransferRecord): void {
    this.transfers.set(id, record);
  }
  usernameOwner(username: string): Address | undefined {
    return this.usernames.get(username) ?? this.base.usernameOwner(username);
  }
  setUsername(username: string, owner: Address): void {
    this.usernames.set(username, owner);
  }
  supply(): Readonly<Supply> {
    return this.supplyValue ?? this.base.supply();
  }
  setSupply(supply: Supply): void {
    this.supplyValue = supply;
  }
  *contributions(): Iterable<[Address, number]> {
    for (const [address, account] of this.accounts) {
      if (account.lastContributionAt !== null) yield [address, account.lastContributionAt];
    }
    for (const entry of this.base.contributions()) {
      if (!this.accounts.has(entry[0])) yield entry;
    }
  }

  totalBalance(): bigint {
    return this.base.totalBalance() + this.balanceDelta;
  }

  /** True when the supply was written in this overlay. */
  get supplyChanged(): boolean {
    return this.supplyValue !== undefined;
  }

  /** Writes every change into the base view. */
  commit(): void {
    for (const [k, v] of this.accounts) this.base.setAccount(k, v);
    for (const [k, v] of this.transfers) this.base.setTransfer(k, v);
    for (const [k, v] of this.usernames) this.base.setUsername(k, v);
    if (this.supplyValue) this.base.setSupply(this.supplyValue);
  }
}
