import { RECONNECT_MAX_MS, STATUS_POLL_MS } from '../constants';
import { messageOf, WebUiError } from '../errors';

/** `GET /health` of a coordinator (see @ailo/node statusRoutes). */
export interface Health {
  status: 'ok' | 'degraded';
  models: { id: string; version: string; layers: number; served: boolean; missing?: string }[];
  workers: {
    id: string;
    state: string;
    span: { model: string; start: number; end: number } | null;
    error: string | null;
    latencyMs: number;
    sessions: number;
    steps: number;
  }[];
  sessions: number;
  round: number;
  ledgerHeight: number;
}

/** What the page knows about the coordinator now. */
export type Connection =
  | { state: 'connecting' }
  | { state: 'online'; health: Health }
  | { state: 'offline'; error: string; retryInMs: number };

/**
 * Polls the coordinator's `/health`. While it is unreachable the poll backs off
 * (doubling up to {@link RECONNECT_MAX_MS}) and listeners see `offline` with the
 * next retry delay; the first answer after that brings `online` back.
 */
export class CoordinatorStatus {
  private readonly listeners = new Set<(c: Connection) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  current: Connection = { state: 'connecting' };

  constructor(
    readonly httpBase: string,
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  /** Calls `fn` now and on every change; returns a function that unsubscribes. */
  subscribe(fn: (c: Connection) => void): () => void {
    this.listeners.add(fn);
    fn(this.current);
    return () => this.listeners.delete(fn);
  }

  start(): void {
    if (this.timer === undefined) void this.poll();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Polls now (e.g. after an action that changes the network). */
  async refresh(): Promise<Connection> {
    clearTimeout(this.timer);
    await this.poll();
    return this.current;
  }

  private async poll(): Promise<void> {
    let delay = STATUS_POLL_MS;
    try {
      this.set({ state: 'online', health: await fetchHealth(this.httpBase, this.fetchFn) });
      this.failures = 0;
    } catch (e) {
      this.failures++;
      delay = Math.min(RECONNECT_MAX_MS, STATUS_POLL_MS * 2 ** (this.failures - 1));
      this.set({ state: 'offline', error: messageOf(e), retryInMs: delay });
    }
    this.timer = setTimeout(() => void this.poll(), delay);
  }

  private set(c: Connection): void {
    this.current = c;
    for (const fn of this.listeners) fn(c);
  }
}

/**
 * Reads `/health`.
 * @throws WebUiError `coordinator_unreachable` when the request fails or answers a non-JSON body.
 */
export async function fetchHealth(httpBase: string, fetchFn: typeof fetch = fetch): Promise<Health> {
  let res: Response;
  try {
    res = await fetchFn(`${httpBase}/health`, { cache: 'no-store' });
  } catch (cause) {
    throw new WebUiError('coordinator_unreachable', `Coordinator unreachable at ${httpBase}`, { cause });
  }
  if (!res.ok) {
    throw new WebUiError('coordinator_unreachable', `Coordinator answered ${res.status} on /health`);
  }
  return (await res.json()) as Health;
}
