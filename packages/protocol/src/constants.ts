/**
 * Protocol constants. Each value names the clause of `spec/protocol.md` it comes from.
 */

/** Envelope `v` field (spec §3 Envelope). */
export const PROTOCOL_VERSION = 1;

/** MessagePack extension type code of a tensor (spec §4 Tensor extension). */
export const TENSOR_EXT_TYPE = 1;

/** Maximum tensor rank (spec §4: `ndim` ≤ 8). */
export const MAX_TENSOR_RANK = 8;

/** Bytes before the dims in a tensor payload: dtype u8 ‖ ndim u8 (spec §4). */
export const TENSOR_HEADER_BYTES = 2;

/** Bytes of one dimension in a tensor payload: u32 little-endian (spec §4). */
export const TENSOR_DIM_BYTES = 4;

/** Largest request id (`id`/`re` are u32, spec §3). */
export const MAX_MESSAGE_ID = 0xffff_ffff;

/** Longest message type string, in UTF-8 bytes (spec §3). */
export const MAX_TYPE_BYTES = 64;

/** Default limits (spec §5 Limits). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024; // bytes
export const DEFAULT_MAX_TENSOR_ELEMENTS = 64 * 1024 * 1024; // elements per tensor
export const DEFAULT_MAX_COLLECTION_LENGTH = 65_536; // entries per array or map
export const DEFAULT_MAX_DEPTH = 32; // nested arrays/maps, the envelope map is depth 1
export const DEFAULT_MAX_STRING_BYTES = 1024 * 1024; // UTF-8 bytes per string

/** Domain tag prefixed to the signed hello message (spec §6 Handshake). */
export const HELLO_DOMAIN_TAG = 'ailo-hello-v1';

/** Challenge nonce length in bytes (spec §6). */
export const NONCE_BYTES = 32;

/** Ed25519 sizes in bytes (RFC 8032). */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const ED25519_SECRET_KEY_BYTES = 32;

/** Time a server waits for `hello` after sending `challenge` (spec §6). */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;

/** Default request deadline (spec §7 Requests). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Heartbeat: a `ping` after this much silence; dead after `DEFAULT_HEARTBEAT_TIMEOUT_MS` (spec §7). */
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** Backpressure: stop sending above the high mark until `bufferedAmount` drops below the low mark (spec §7). */
export const DEFAULT_HIGH_WATER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_LOW_WATER_BYTES = 1024 * 1024;

/** WebSocket close code of a normal close (RFC 6455 §7.4.1). */
export const CLOSE_NORMAL = 1000;
/** WebSocket close code of a message too big (RFC 6455 §7.4.1). */
export const CLOSE_TOO_BIG = 1009;
