import { VirtualTensorError } from '../errors';
import type { HubRef } from './hubRef';

/** What was being fetched when the hub said no. */
export interface HubRequestContext {
  ref: HubRef;
  file: string;
  url: string;
  /** a bearer token was sent */
  withToken: boolean;
}

const TOKEN_PAGE = 'https://huggingface.co/settings/tokens';

/**
 * Maps a hub answer that retrying cannot change (401, 403, 404, other 4xx)
 * to a typed error whose short message says how to fix it. The hub's
 * `X-Error-Code` header (`RepoNotFound`, `RevisionNotFound`,
 * `EntryNotFound`, `GatedRepo`) picks the message when present; its
 * `X-Error-Message` goes into `details`.
 * @returns VirtualTensorError `HUB_UNAUTHORIZED`, `HUB_NOT_FOUND` or `HUB_INVALID`
 */
export function hubStatusError(status: number, headers: Headers, ctx: HubRequestContext): VirtualTensorError {
  const hubCode = headers.get('x-error-code') ?? undefined;
  const hubMessage = headers.get('x-error-message') ?? undefined;
  const { repo, revision, endpoint } = ctx.ref;
  const meta = { status, url: ctx.url, file: ctx.file, hubCode, withToken: ctx.withToken };
  const err = (code: 'HUB_UNAUTHORIZED' | 'HUB_NOT_FOUND' | 'HUB_INVALID', msg: string, more?: string) =>
    new VirtualTensorError(code, msg, {
      details:
        [more, hubMessage && `The hub said: ${hubMessage}`].filter(Boolean).join(' ') || `HTTP ${status}`,
      meta,
    });
  if (status === 401 || status === 403) {
    if (hubCode === 'GatedRepo' || (status === 403 && ctx.withToken)) {
      return err(
        'HUB_UNAUTHORIZED',
        `${repo} is gated: accept its terms at ${endpoint}/${repo}, then retry with the same HF_TOKEN.`,
      );
    }
    if (!ctx.withToken) {
      return err(
        'HUB_UNAUTHORIZED',
        `${repo} needs authentication (HTTP ${status}): set HF_TOKEN to a read token from ${TOKEN_PAGE}.`,
        'The repository is private or gated, or does not exist (the hub does not tell anonymous callers which).',
      );
    }
    return err(
      'HUB_UNAUTHORIZED',
      `The hub rejected HF_TOKEN for ${repo} (HTTP ${status}): check that the token is valid and can read this repository.`,
      `Tokens are managed at ${TOKEN_PAGE}. The repository may also not exist.`,
    );
  }
  if (status === 404 || status === 410) {
    if (hubCode === 'RevisionNotFound') {
      return err(
        'HUB_NOT_FOUND',
        `Revision "${revision}" does not exist in ${repo}: pass an existing branch, tag or commit with --revision.`,
      );
    }
    if (hubCode === 'EntryNotFound') {
      return err('HUB_NOT_FOUND', `${repo}@${revision} has no file ${ctx.file}.`);
    }
    if (hubCode === 'RepoNotFound') {
      return err(
        'HUB_NOT_FOUND',
        `Repository ${repo} does not exist on ${endpoint}: check the org/name (case-sensitive) and --endpoint.`,
      );
    }
    return err(
      'HUB_NOT_FOUND',
      `Not found: ${ctx.url}: check the repository name, --revision (${revision}) and --endpoint.`,
    );
  }
  return err(
    'HUB_INVALID',
    `The hub answered HTTP ${status} for ${ctx.url}: check --endpoint, it must be a Hugging Face–compatible hub.`,
  );
}

/** How a transfer ended when its retries ran out. */
export interface HubRetryOutcome {
  /** last HTTP status, when a response came back */
  status: number | undefined;
  attempts: number;
  /** the server's last `Retry-After`. ms */
  retryAfterMs: number | undefined;
  /** bytes held in the `.part` file */
  received: number;
  /** the file's size, when known. bytes */
  total: number | undefined;
  cause?: unknown;
}

/**
 * Maps a hub transfer that failed after its retries to a typed error: 429 →
 * `HUB_RATE_LIMITED`, a partial body → `DOWNLOAD_INCOMPLETE` (resumable),
 * anything else → `HTTP_ERROR`.
 */
export function hubRetryError(o: HubRetryOutcome, ctx: HubRequestContext): VirtualTensorError {
  const { cause, ...rest } = o;
  const meta = { ...rest, url: ctx.url, file: ctx.file };
  const tries = `${o.attempts} attempt${o.attempts === 1 ? '' : 's'}`;
  if (o.status === 429) {
    const wait = o.retryAfterMs !== undefined ? `${Math.ceil(o.retryAfterMs / 1000)} s` : 'a minute';
    return new VirtualTensorError(
      'HUB_RATE_LIMITED',
      `The hub is rate-limiting requests (HTTP 429, ${tries}): wait ${wait} and run the same command again.`,
      {
        details:
          'Finished files are kept and partial ones resume.' +
          (ctx.withToken ? '' : ' Authenticated requests (HF_TOKEN) get higher limits.'),
        meta,
        cause,
      },
    );
  }
  if (o.received > 0) {
    const of = o.total !== undefined ? ` of ${o.total}` : '';
    return new VirtualTensorError(
      'DOWNLOAD_INCOMPLETE',
      `Download of ${ctx.file} stopped at ${o.received}${of} bytes (${tries}): run the same command again to resume.`,
      { details: 'The .part file is kept; the next run continues from its last byte.', meta, cause },
    );
  }
  return new VirtualTensorError(
    'HTTP_ERROR',
    `Cannot fetch ${ctx.url} (${tries}): check the network and --endpoint.`,
    {
      details: `Last status: ${o.status ?? 'no response'}.`,
      meta,
      cause,
    },
  );
}
