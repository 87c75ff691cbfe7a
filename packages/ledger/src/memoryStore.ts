import { LedgerError } from './errors';
import type { LedgerStore, StoreOp } from './store';

/**
 * In-memory {@link LedgerStore}: a `Map` from key to value. `write` checks every op first and
 * then applies them all in one synchronous step, so a batch is atomic (no reader can observe
 * half of it). Values are copied on write; reads return the stored array, which callers must
 * not modify. Contents survive `close`/`open`, like a database reopened in the same process.
 */
class MemoryLedgerStore implements LedgerStore {
  private readonly data = new Map<string, Uint8Array>();
  private opened = false;

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.requireOpen('get');
    return this.data.get(key);
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    this.requireOpen('iterate');
    const keys: string[] = [];
    for (const k of this.data.keys()) if (k.startsWith(prefix)) keys.push(k);
    keys.sort(); // keys are ASCII: UTF-16 order is byte order, as in LevelDB and IndexedDB
    const snapshot = keys.map((k): [string, Uint8Array] => [k, this.data.get(k)!]);
    yield* snapshot;
  }

  async write(ops: readonly StoreOp[]): Promise<void> {
    this.requireOpen('write');
    for (const op of ops) {
      const ok =
        typeof op.key === 'string' &&
        (op.type === 'del' || (op.type === 'put' && op.value instanceof Uint8Array));
      if (!ok) {
        throw new LedgerError('STORE_ERROR', 'Ledger storage failed to write.', {
          details: `malformed ${op.type} of ${String(op.key)}`,
        });
      }
    }
    for (const op of ops) {
      if (op.type === 'put') this.data.set(op.key, op.value.slice());
      else this.data.delete(op.key);
    }
  }

  private requireOpen(op: string): void {
    if (!this.opened) {
      throw new LedgerError('STORE_ERROR', `Ledger storage failed to ${op}.`, {
        details: 'the store is not open',
      });
    }
  }
}

/** In-memory store for tests and short-lived nodes; works everywhere. */
export function memoryStore(): LedgerStore {
  return new MemoryLedgerStore();
}
