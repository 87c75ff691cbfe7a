import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkerRegistry } from './WorkerRegistry';

/** What the gauges read at scrape time. */
export interface MetricSources {
  workers: WorkerRegistry;
  sessions(): number;
  round(): number;
  ledgerHeight(): number;
}

/** Window over which `ailo_tokens_per_second` is averaged. ms */
const RATE_WINDOW_MS = 10_000;

/** The coordinator's Prometheus metrics, on a registry of its own (never the global one). */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly tokens: Counter;
  readonly generated: Counter;
  readonly failovers: Counter;
  readonly requests: Counter<'route' | 'status'>;
  readonly updates: Counter<'outcome'>;
  readonly hopSeconds: Histogram;
  private readonly recent: [number, number][] = [];

  constructor(src: MetricSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'ailo_nodes',
      help: 'connected workers by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const w of src.workers.list()) this.inc({ state: w.state });
      },
    });
    new Gauge({
      name: 'ailo_sessions_active',
      help: 'generation sessions open',
      registers,
      collect() {
        this.set(src.sessions());
      },
    });
    const self = this;
    new Gauge({
      name: 'ailo_tokens_per_second',
      help: `tokens through the pipeline per second, over the last ${RATE_WINDOW_MS / 1000} s`,
      registers,
      collect() {
        this.set(self.tokenRate());
      },
    });
    new Gauge({
      name: 'ailo_round',
      help: 'federated rounds completed',
      registers,
      collect() {
        this.set(src.round());
      },
    });
    new Gauge({
      name: 'ailo_ledger_height',
      help: 'ledger blocks',
      registers,
      collect() {
        this.set(src.ledgerHeight());
      },
    });
    this.tokens = new Counter({
      name: 'ailo_tokens_total',
      help: 'tokens fed through distributed pipelines (prompt and generated)',
      registers,
    });
    this.generated = new Counter({
      name: 'ailo_generated_tokens_total',
      help: 'tokens generated for API clients',
      registers,
    });
    this.failovers = new Counter({
      name: 'ailo_failovers_total',
      help: 'spans re-routed after a worker failed mid-session',
      registers,
    });
    this.requests = new Counter({
      name: 'ailo_http_requests_total',
      help: 'HTTP API requests',
      labelNames: ['route', 'status'],
      registers,
    });
    this.updates = new Counter({
      name: 'ailo_round_updates_total',
      help: 'federated updates by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.hopSeconds = new Histogram({
      name: 'ailo_hop_seconds',
      help: 'round trip of one pipeline hop as seen by the coordinator',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
  }

  /** Counts tokens fed through a pipeline. */
  addTokens(n: number): void {
    this.tokens.inc(n);
    const t = Date.now();
    this.recent.push([t, n]);
    while (this.recent.length > 0 && this.recent[0]![0] < t - RATE_WINDOW_MS) this.recent.shift();
  }

  /** Tokens per second over the last window. */
  tokenRate(): number {
    const t = Date.now();
    let n = 0;
    for (const [at, k] of this.recent) if (at >= t - RATE_WINDOW_MS) n += k;
    return n / (RATE_WINDOW_MS / 1000);
  }
}
