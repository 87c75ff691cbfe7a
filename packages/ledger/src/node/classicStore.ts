import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { type LedgerStore, LevelLedgerStore } from '../store';

/** Directory of the ledger inside a node's data directory: `<dataDir>/ledger`. */
export function ledgerDir(dataDir: string): string {
  return join(dataDir, 'ledger');
}

/**
 * LevelDB store (`classic-level`) at `directory`. LevelDB batches are atomic and durable
 * through its write-ahead log, which is what crash recovery relies on (spec §10). Only one
 * process can hold a directory open at a time.
 */
export function classicStore(directory: string): LedgerStore {
  return new LevelLedgerStore(
    new ClassicLevel<string, Uint8Array>(directory, { keyEncoding: 'utf8', valueEncoding: 'view' }),
  );
}
