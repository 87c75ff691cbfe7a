/**
 * Limits and defaults. Clauses refer to `spec/virtual-tensor.md` unless noted.
 */

/** safetensors: the header length prefix is a u64 little-endian (safetensors format, "Format"). bytes */
export const SAFETENSORS_PREFIX_BYTES = 8;

/** safetensors: headers longer than this are rejected before allocation (safetensors' own MAX_HEADER_SIZE). bytes */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** safetensors: the header is padded with spaces so the data section starts 8-byte aligned. bytes */
export const SAFETENSORS_HEADER_ALIGN = 8;

/** Manifest format version written by this package (§2 "Manifest"). */
export const MANIFEST_FORMAT_VERSION = 1;

/** Manifest `format` tag (§2). */
export const MANIFEST_FORMAT = 'ailo-virtual-tensor';

/** Every tensor starts at a multiple of this many bytes of the layout stream and of its chunk (§3 "Layout"). bytes */
export const TENSOR_ALIGN = 64;

/** Planner: default target chunk size when neither `chunks` nor `chunkBytes` is given (§3); `ailo-840m` fp32 → 35 chunks. 96 MB (decimal), bytes */
export const DEFAULT_CHUNK_BYTES = 96_000_000;

/** Planner: near-equal chunk sizes must stay within ±10% of the mean (§3). */
export const CHUNK_SIZE_TOLERANCE = 0.1;

/** HTTP store: attempts per chunk including the first (§6 "HTTP"). */
export const HTTP_DEFAULT_RETRIES = 4;

/** HTTP store: base backoff delay, doubled per attempt. ms */
export const HTTP_BACKOFF_BASE_MS = 200;

/** HTTP store: statuses retried with backoff (§6); 404/410 mean "absent", others fail at once. */
export const HTTP_RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** HTTP store: upper bound of one backoff delay. ms */
export const HTTP_BACKOFF_MAX_MS = 5_000;

/**
 * HTTP: the longest `Retry-After` (429/503, RFC 9110 §10.2.3) that is waited
 * for before the next attempt (§6); a longer one ends the retries at once. ms
 */
export const HTTP_RETRY_AFTER_MAX_MS = 60_000;

/** Hub: default Hugging Face–compatible endpoint (overridden by `HF_ENDPOINT`) (§11 "Hub download"). */
export const HUB_DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Hub: the revision pulled when none is given (§11). */
export const HUB_DEFAULT_REVISION = 'main';

/** Hub: same-origin redirects followed while resolving a file (renamed repositories answer 307) (§11). */
export const HUB_MAX_REDIRECTS = 5;

/** Hub: suffix of a file being downloaded; it is renamed to its final name once complete (§11). */
export const HUB_PART_SUFFIX = '.part';

/** Integrity: a chunk that fails verification is dropped and fetched again this many times (§5). */
export const INTEGRITY_REFETCHES = 1;

/** Manifest file name inside a packed model directory (§2). */
export const MANIFEST_FILE = 'manifest.json';

/** Pack lock file: `<out>` + this suffix, beside the output directory (§4 "Packing"). */
export const PACK_LOCK_SUFFIX = '.ailo-pack.lock';
