/** Close codes of spec/protocol.md §8 (and RFC 6455 1009 for an oversize frame, §2.4). */
export const CLOSE_CODES = {
  normal: 1000,
  tooBigWs: 1009,
  bad_frame: 4000,
  too_large: 4001,
  unsupported: 4002,
  unauthorized: 4003,
  bad_signature: 4004,
  bad_request: 4005,
  version_mismatch: 4006,
  not_found: 4007,
  conflict: 4008,
  timeout: 4009,
} as const;

/** Errors that end the connection (protocol.md §8, last paragraph). */
export const CONNECTION_ENDING_CODES = new Set(['bad_frame', 'too_large', 'version_mismatch']);

/** How long a case waits for one answer from the target by default. ms */
export const DEFAULT_WAIT_MS = 5_000;

/** Handshake deadline a target is assumed to use (protocol.md §6.5 default 10 s). ms */
export const DEFAULT_HANDSHAKE_DEADLINE_MS = 10_000;

/** Extra time granted past a deadline before a case calls it missed (scheduling, loopback). ms */
export const DEADLINE_SLACK_MS = 3_000;

/** Maximum length of `error.message` (protocol.md §9.1). UTF-16 units as a lower bound of bytes */
export const MAX_ERROR_MESSAGE = 1024;

/** Max abs difference of float32 runtime logits vs the fixture logits (pipeline-stage.md §4). */
export const LOGITS_TOLERANCE = 1e-4;

/** Blocks asked for per `ledger.sync` (protocol.md §9.4 maximum). */
export const SYNC_LIMIT = 1024;

/** A message type no catalogue defines (protocol.md §9.6: namespaced, unknown to every node). */
export const UNKNOWN_TYPE = 'conformance.unknown-type';
