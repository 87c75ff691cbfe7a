import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeError } from '../errors';

/** What a coordinator keeps under its data directory between runs (`coordinator.json`). */
export interface CoordinatorState {
  /** models served: id and source directory (HF or packed) */
  models: { id: string; dir: string }[];
  /** federated rounds completed per model id */
  rounds: Record<string, number>;
  /** the packed directory of each model's latest global version (after a round) */
  latest: Record<string, string>;
  /** rewards of a finished round not yet known to be on the ledger (issued again, idempotently, on restart) */
  pending?: PendingRewards;
}

/** The MINTs a finished round owes, kept until they are on the chain. Amounts in base units, as decimal strings. */
export interface PendingRewards {
  model: string;
  round: number;
  /** ledger height before these MINTs: only blocks after it can hold them */
  fromHeight: number;
  mints: { to: string; amount: string; reason: string; reference: string }[];
}

const FILE = 'coordinator.json';

/** Reads the state file, or an empty state when there is none. */
export function readCoordinatorState(dataDir: string): CoordinatorState {
  const path = join(dataDir, FILE);
  if (!existsSync(path)) return { models: [], rounds: {}, latest: {} };
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<CoordinatorState>;
    if (!Array.isArray(s.models)) throw new Error('models is not an array');
    const out: CoordinatorState = { models: s.models, rounds: s.rounds ?? {}, latest: s.latest ?? {} };
    if (s.pending) out.pending = s.pending;
    return out;
  } catch (cause) {
    throw new NodeError('bad_state', `${path} is unreadable`, { cause, details: (cause as Error).message });
  }
}

/** Writes the state file atomically (temporary file, then rename). */
export function writeCoordinatorState(dataDir: string, s: CoordinatorState): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
