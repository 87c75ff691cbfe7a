import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatLoadReport, chatLoad } from './chatLoad';
import { type FederatedLoadReport, federatedLoad } from './federatedLoad';

/** Sizes of one load run. */
export interface LoadOptions {
  /** concurrent chat sessions (0 skips the chat part) */
  sessions: number;
  /** simulated federated clients in one round (0 skips the round) */
  clients: number;
  /** tokens per chat session */
  maxTokens?: number;
  /** worker processes of the chat pipeline (a divisor of 4) */
  workers?: number;
}

/** Both parts' figures; `ok` when nothing was lost, duplicated, mismatched or failed. */
export interface LoadReport {
  chat: ChatLoadReport | undefined;
  federated: FederatedLoadReport | undefined;
  ok: boolean;
}

/**
 * The bounded load run of docs/reliability.md ("Load"), on loopback only:
 * concurrent chat sessions through a worker pipeline, then one federated round
 * with many simulated clients. Everything it starts is stopped before it returns.
 */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ailo-load-'));
  try {
    const chat =
      o.sessions > 0
        ? await chatLoad({
            sessions: o.sessions,
            dataDir,
            ...(o.maxTokens !== undefined ? { maxTokens: o.maxTokens } : {}),
            ...(o.workers !== undefined ? { workers: o.workers } : {}),
          })
        : undefined;
    const federated = o.clients > 0 ? await federatedLoad({ clients: o.clients, dataDir }) : undefined;
    const ok =
      (!chat ||
        (chat.lost === 0 &&
          chat.duplicated === 0 &&
          chat.mismatched === 0 &&
          Object.keys(chat.errors).length === 0)) &&
      (!federated ||
        (federated.lost === 0 &&
          federated.duplicated === 0 &&
          federated.ledgerVerified &&
          federated.supplyHolds));
    return { chat, federated, ok };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A short human summary of a report. */
export function formatLoadReport(r: LoadReport): string {
  const lines: string[] = [];
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  if (r.chat) {
    const c = r.chat;
    lines.push(
      `chat: ${c.sessions} concurrent sessions × ${c.maxTokens} tokens over ${c.workers} worker processes`,
      `  ${c.tokens} tokens in ${c.seconds.toFixed(2)} s = ${c.tokensPerSecond.toFixed(1)} tokens/s`,
      `  first token p50 ${ms(c.firstTokenP50Ms)}, p99 ${ms(c.firstTokenP99Ms)}`,
      `  between tokens p50 ${ms(c.interTokenP50Ms)}, p99 ${ms(c.interTokenP99Ms)}`,
      `  whole request p50 ${ms(c.requestP50Ms)}, p99 ${ms(c.requestP99Ms)}`,
      `  lost ${c.lost}, duplicated ${c.duplicated}, mismatched ${c.mismatched}, errors ${JSON.stringify(c.errors)}`,
    );
  }
  if (r.federated) {
    const f = r.federated;
    lines.push(
      `federated: ${f.clients} simulated clients in one round`,
      `  connected and joined in ${f.connectSeconds.toFixed(2)} s; round ${f.roundSeconds.toFixed(2)} s (${f.updatesPerSecond.toFixed(1)} updates/s judged)`,
      `  submit → answer p50 ${ms(f.submitP50Ms)}, p99 ${ms(f.submitP99Ms)}`,
      `  accepted ${f.accepted}, rejected ${f.rejected} ${JSON.stringify(f.reasons)}`,
      `  lost ${f.lost}, duplicated ${f.duplicated}; ledger verified ${f.ledgerVerified}, Σ balances + burned = minted ${f.supplyHolds}`,
    );
  }
  lines.push(r.ok ? 'OK' : 'FAILED');
  return lines.join('\n');
}
