import type { AbstractLevel } from 'abstract-level';
import { BrowserLevel } from 'browser-level';
import { LedgerError } from './errors';

/** One write of an atomic batch. */
export type StoreOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/**
 * Key-value storage of a ledger node. `write` must be atomic: after a crash either every op
 * of a batch is visible or none is (spec §10). Keys are ASCII strings.
 */
export interface LedgerStore {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Entries whose key starts with `prefix`, in ascending key order. */
  entries(prefix: string): AsyncIterable<[string, Uint8Array]>;
  /** Applies every op or none. */
  write(ops: readonly StoreOp[]): Promise<void>;
}

/** Any `abstract-level` database with string keys and Uint8Array values. */
export type LevelDatabase = AbstractLevel<any, string, Uint8Array>;

/** {@link LedgerStore} over an `abstract-level` database; its `batch` is the atomic write. */
export class LevelLedgerStore implements LedgerStore {
  constructor(readonly db: LevelDatabase) {}

  async open(): Promise<void> {
    try {
      await this.db.open();
    } catch (cause) {
      throw storeError('open', cause);
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const v = await this.db.get(key);
      return v === undefined ? undefined : toView(v);
    } catch (cause) {
      throw storeError('get', cause);
    }
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    // '\uffff' sorts after every ASCII continuation of the prefix; IndexedDB refuses an empty bound
    const range = prefix === '' ? {} : { gte: prefix, lt: `${prefix}\uffff` };
    for await (const [k, v] of this.db.iterator(range)) {
      yield [k, toView(v)];
    }
  }

  async write(ops: readonly StoreOp[]): Promise<void> {
    try {
      await this.db.batch(ops as StoreOp[]);
    } catch (cause) {
      throw storeError('write', cause);
    }
  }
}

function toView(v: Uint8Array): Uint8Array {
  // Node's Buffer is a Uint8Array subclass; hand out plain views so equality checks agree
  return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function storeError(op: string, cause: unknown): LedgerError {
  const code = (cause as { code?: string }).code;
  return new LedgerError('STORE_ERROR', `Ledger storage failed to ${op}.`, {
    details: code ? `${code}: ${(cause as Error).message}` : String(cause),
    cause,
  });
}

/** IndexedDB store (`browser-level`) for browsers; `name` is the database name. */
export function browserStore(name: string): LedgerStore {
  return new LevelLedgerStore(
    new BrowserLevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' }),
  );
}
