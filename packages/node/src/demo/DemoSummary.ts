import type { RoundReport } from '../rounds/RoundReport';

/** What `ailo demo` did, as printed (and as the `--json` line). Amounts are base units as decimal strings. */
export interface DemoSummary {
  dataDir: string;
  model: { id: string; layers: number; hidden: number; vocab: number; version: string; created: boolean };
  workers: { id: string; address: string; genres: string[]; span: string | null; balance: string }[];
  rounds: RoundReport[];
  ledger: {
    height: number;
    minted: string;
    burned: string;
    balances: string;
    stateHash: string;
    verified: boolean;
    workersAgree: boolean;
  };
  generation: {
    prompt: string;
    promptIds: number[];
    ids: number[];
    text: string;
    route: { worker: string; start: number; end: number }[];
    /** forward steps passed worker to worker, and relayed through the coordinator */
    chainedSteps: number;
    relayedSteps: number;
    /** inference MINTs paid to the workers of its chain (amounts in base units) */
    rewards: { to: string; amount: string }[];
  };
  urls: { api: string; health: string; metrics: string; ws: string };
  seconds: number;
}
