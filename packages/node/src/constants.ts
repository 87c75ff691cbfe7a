/**
 * Defaults of the reference node. Each names where it comes from: the design
 * (`DESIGN.md`, "Reference node"), the protocol spec (`spec/protocol.md`), or
 * a local engineering choice with its reason.
 */

/** Coordinator WebSocket/HTTP port when none is given. */
export const DEFAULT_COORDINATOR_PORT = 7420;

/** Concurrent generation sessions the coordinator admits before answering `overloaded` (retryable). */
export const DEFAULT_MAX_SESSIONS = 64;

/** Concurrent sessions one worker holds a KV cache for before answering `overloaded` (retryable). */
export const DEFAULT_WORKER_MAX_SESSIONS = 32;

/** A worker drops a session's KV cache after this much idle time. ms */
export const DEFAULT_SESSION_IDLE_MS = 10 * 60_000;

/** Deadline of one `infer.forward` hop (spec §7: every request has a deadline). ms */
export const DEFAULT_HOP_TIMEOUT_MS = 30_000;

/** Deadline for a worker to load its span after being assigned one. ms */
export const DEFAULT_ASSIGN_TIMEOUT_MS = 5 * 60_000;

/**
 * Logits bytes one forward step may return. Longer prefills are sent in
 * pieces so each reply stays far below the 64 MiB frame limit (spec §5).
 * bytes
 */
export const MAX_STEP_LOGITS_BYTES = 16 * 1024 * 1024;

/** Re-routes tried for one forward step before the request fails. */
export const MAX_REROUTES = 4;

/** Weight of a new latency sample in the exponentially weighted moving average. */
export const LATENCY_EWMA_ALPHA = 0.2;

/** Latency assumed for a hop never measured. ms */
export const DEFAULT_HOP_LATENCY_MS = 1;

/** Largest HTTP request body the API reads. bytes */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

/** Largest `max_tokens` the HTTP API accepts. tokens */
export const MAX_COMPLETION_TOKENS = 4096;

/** Worker reconnect backoff: first delay, cap. ms */
export const RECONNECT_BASE_MS = 250;
export const RECONNECT_MAX_MS = 10_000;

/** Server id used in challenges when none is configured (spec §6: signed into every hello). */
export const DEFAULT_SERVER_ID = 'ailo-coordinator';

/**
 * A connection silent this long is dead (the protocol default is 30 s). Longer
 * here because a training step or an update check can block a node's event
 * loop for seconds on a small machine, and a stalled loop must not read as a
 * dead peer; a killed process is still detected at once by its closed socket.
 * ms
 */
export const NODE_HEARTBEAT_TIMEOUT_MS = 120_000;

/**
 * A connection that has not completed the signed hello (WebSocket) or sent a
 * complete HTTP request within this is closed: slowloris protection. The
 * protocol's hello deadline (spec §6, default 10 s). ms
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Open TCP connections (HTTP and WebSocket) the coordinator keeps from one IP
 * address; the next is refused with `rate_limited`. Room for a machine running
 * several workers and a browser; one operator behind a NAT may need more. connections
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 64;

/**
 * Federated update submissions per identity (`update.submit`): a token bucket
 * of this many, refilled at the rate below. A trainer sends one update per
 * round, so a burst of 4 covers retries. updates, updates/s
 */
export const DEFAULT_SUBMISSION_BURST = 4;
export const DEFAULT_SUBMISSION_RATE = 0.5;

/**
 * Ledger submissions per identity (`tx.submit`, `tx.verify`, `tx.report`):
 * workers vote on every transfer they see, so only floods are cut. transactions, transactions/s
 */
export const DEFAULT_LEDGER_BURST = 256;
export const DEFAULT_LEDGER_RATE = 64;

/**
 * Completion requests per client IP on the HTTP API (the API has no accounts):
 * a burst of 60, then 2 per second. requests, requests/s
 */
export const DEFAULT_INFERENCE_BURST = 60;
export const DEFAULT_INFERENCE_RATE = 2;

/** Token buckets kept before full ones (equivalent to absent) are pruned. keys */
export const MAX_RATE_KEYS = 100_000;

/** How often the coordinator seals queued ledger transactions (transfers, votes, reports) into a block. ms */
export const DEFAULT_BLOCK_INTERVAL_MS = 2_000;
