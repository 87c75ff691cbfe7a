import { HTTP_RETRYABLE_STATUS, HUB_MAX_REDIRECTS } from '../constants';
import { VirtualTensorError } from '../errors';
import { parseRetryAfter, RetryableFailure, type RetryOptions, withRetries } from '../http/withRetries';
import { throwIfAborted } from '../stores/ChunkStore';
import { hubRetryError, hubStatusError } from './hubErrors';
import { type HubRef, hubFileUrl } from './hubRef';

/** Options of hub requests. */
export interface HubRequestOptions extends RetryOptions {
  /** bearer token, sent to the hub's origin only (never to the CDN it redirects to) */
  token?: string;
  /** fetch implementation (default `globalThis.fetch`); must expose `redirect: 'manual'` answers (Node does) */
  fetch?: typeof fetch;
}

/** Where a hub file's bytes are and what the hub says about them. */
export interface HubFileInfo {
  file: string;
  /** URL the bytes are fetched from: the hub's, or the storage it redirects to */
  downloadUrl: URL;
  /** the token may be sent to `downloadUrl` (same origin as the hub) */
  sameOrigin: boolean;
  /** `X-Linked-Size` (LFS files) or `Content-Length`, when given. bytes */
  size: number | undefined;
  /** lowercase hex sha256 from `X-Linked-Etag`/`ETag`, when the hub gives one (LFS files) */
  sha256: string | undefined;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const SHA256_RE = /^[0-9a-f]{64}$/;

/** `W/"abc"` → `abc`, lowercased. */
function bareEtag(v: string | null): string | undefined {
  return v === null ? undefined : v.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

function sizeHeader(v: string | null): number | undefined {
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

/** The token's `authorization` header, when one is given. */
export function hubAuthHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Asks the hub about a file with `HEAD` (redirects followed by hand): its
 * size and sha256 (LFS files carry `X-Linked-Size` and `X-Linked-Etag` on the
 * redirect to storage) and the URL to download it from. Same-origin
 * redirects (renamed repositories) are followed up to 5 times; the first
 * cross-origin one is the download URL. Network errors, 429 (with
 * `Retry-After`) and 5xx are retried.
 * @throws VirtualTensorError `HUB_UNAUTHORIZED`, `HUB_NOT_FOUND`, `HUB_RATE_LIMITED`,
 *   `HUB_INVALID`, `HTTP_ERROR`, `ABORTED`
 */
export async function resolveHubFile(
  ref: HubRef,
  file: string,
  opts: HubRequestOptions = {},
): Promise<HubFileInfo> {
  const f = opts.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
  if (!f) throw new VirtualTensorError('HTTP_ERROR', 'No fetch implementation is available.');
  const start = hubFileUrl(ref, file);
  const hubOrigin = start.origin;
  const ctx = { ref, file, url: start.href, withToken: Boolean(opts.token) };
  const auth = hubAuthHeaders(opts.token);

  const attempt = async (): Promise<HubFileInfo> => {
    let url = start;
    for (let hop = 0; ; hop++) {
      const same = url.origin === hubOrigin;
      let res: Response;
      try {
        res = await f(url, {
          method: 'HEAD',
          redirect: 'manual',
          headers: { 'accept-encoding': 'identity', ...(same ? auth : {}) },
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } catch (err) {
        throwIfAborted(opts.signal);
        throw new RetryableFailure(`HEAD ${url.href}: network error`, undefined, undefined, err);
      }
      await res.body?.cancel();
      if (HTTP_RETRYABLE_STATUS.has(res.status)) {
        throw new RetryableFailure(
          `HTTP ${res.status}`,
          res.status,
          parseRetryAfter(res.headers.get('retry-after')),
        );
      }
      const linkedSize = sizeHeader(res.headers.get('x-linked-size'));
      const linkedEtag = bareEtag(res.headers.get('x-linked-etag'));
      const location = res.headers.get('location');
      if (REDIRECT.has(res.status) && location) {
        const next = new URL(location, url);
        const lfs = linkedSize !== undefined || linkedEtag !== undefined;
        if (!lfs && next.origin === hubOrigin && hop < HUB_MAX_REDIRECTS) {
          url = next;
          continue;
        }
        return {
          file,
          downloadUrl: next,
          sameOrigin: next.origin === hubOrigin,
          size: linkedSize,
          sha256: linkedEtag && SHA256_RE.test(linkedEtag) ? linkedEtag : undefined,
        };
      }
      if (!res.ok) throw hubStatusError(res.status, res.headers, { ...ctx, url: url.href });
      const etag = linkedEtag ?? bareEtag(res.headers.get('etag'));
      const encoded = res.headers.get('content-encoding') !== null;
      return {
        file,
        downloadUrl: url,
        sameOrigin: same,
        size: linkedSize ?? (encoded ? undefined : sizeHeader(res.headers.get('content-length'))),
        sha256: etag && SHA256_RE.test(etag) ? etag : undefined,
      };
    }
  };

  try {
    return await withRetries(opts, attempt);
  } catch (err) {
    if (!(err instanceof RetryableFailure)) throw err;
    throw hubRetryError(
      {
        status: err.status,
        attempts: err.attempts,
        retryAfterMs: err.retryAfterMs,
        received: 0,
        total: undefined,
        cause: err.cause ?? err,
      },
      ctx,
    );
  }
}
