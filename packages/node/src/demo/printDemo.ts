import { formatAlc } from '../rounds/formatAlc';
import type { RoundProgress, RoundReport } from '../rounds/RoundReport';
import type { DemoSummary } from './DemoSummary';

/** Writes human-readable demo output. */
export type Out = (line: string) => void;

const BAR = 24;

/** A progress line: `round 1 [#########.......] 2/4 updates`. */
export function progressLine(p: Extract<RoundProgress, { type: 'update' }>): string {
  const filled = Math.round((p.done / p.total) * BAR);
  return `  round ${p.round} [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${p.done}/${p.total} updates  (${p.worker.slice(0, 8)} ${p.accepted ? 'accepted' : `rejected: ${p.reason}`})`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

/** The table of one round: per worker, outcome and reward, then totals and validation loss. */
export function roundTable(r: RoundReport, names: Map<string, string>): string[] {
  const rows = [['worker', 'outcome', 'samples', 'loss bonus', 'reward (ALC)']];
  for (const a of r.accepted)
    rows.push([
      names.get(a.worker) ?? a.worker.slice(0, 8),
      'accepted',
      String(a.samples),
      a.lossBonus.toFixed(3),
      formatAlc(a.reward),
    ]);
  for (const x of r.rejected)
    rows.push([names.get(x.worker) ?? x.worker.slice(0, 8), `rejected: ${x.reason}`, '-', '-', '0.0']);
  return [
    `round ${r.round}: ${r.clients} clients, ${r.accepted.length} accepted, ${r.rejected.length} rejected, ${r.seconds.toFixed(1)} s`,
    ...table(rows),
    ...r.rejected.map((x) => `  ${names.get(x.worker) ?? x.worker.slice(0, 8)}: ${x.message}`),
    `  validation loss ${r.validationLoss.before.toFixed(4)} → ${r.validationLoss.after.toFixed(4)}   minted ${formatAlc(r.minted)} ALC   model ${r.version.slice(0, 12)}`,
    '',
  ];
}

/** The closing summary: ledger, balances, sample generation, URLs. */
export function summaryLines(s: DemoSummary, serving: boolean): string[] {
  const rows = [['worker', 'genres', 'serves', 'balance (ALC)']];
  const names = new Map(s.workers.map((w) => [w.address as string, w.id]));
  for (const [i, w] of s.workers.entries())
    rows.push([`w${i}`, w.genres.join(','), w.span ?? '-', formatAlc(BigInt(w.balance))]);
  return [
    'ledger',
    `  height ${s.ledger.height}, minted ${formatAlc(BigInt(s.ledger.minted))} ALC, burned ${formatAlc(BigInt(s.ledger.burned))} ALC, Σ balances ${formatAlc(BigInt(s.ledger.balances))} ALC`,
    `  state hash ${s.ledger.stateHash}: ${s.ledger.verified ? 'chain verified' : 'VERIFICATION FAILED'}${s.ledger.workersAgree ? ', every worker holds the same verified state' : ', workers disagree'}`,
    ...table(rows),
    '',
    `sample generation across ${s.generation.route.length} workers (${s.generation.route.map((h) => `[${h.start}:${h.end})`).join(' → ')}), greedy, ${s.generation.relayedSteps === 0 ? 'steps passed worker to worker' : `${s.generation.relayedSteps} steps relayed by the coordinator`}:`,
    `  ${JSON.stringify(s.generation.prompt)} → ${JSON.stringify(s.generation.text)}`,
    ...s.generation.rewards.map(
      (r) =>
        `  ${names.get(r.to) ?? r.to} earned ${formatAlc(BigInt(r.amount))} ALC for serving it (MINT inference)`,
    ),
    '',
    `done in ${s.seconds.toFixed(0)} s; model and ledger kept in ${s.dataDir}`,
    ...(serving
      ? [
          `serving the trained model split across ${s.workers.length} workers (Ctrl-C to stop):`,
          `  API      ${s.urls.api}   (OpenAI-compatible: /v1/models, /v1/completions, /v1/chat/completions)`,
          `  health   ${s.urls.health}`,
          `  metrics  ${s.urls.metrics}`,
          `  workers  ailo worker --coordinator ${s.urls.ws}`,
        ]
      : []),
  ];
}
