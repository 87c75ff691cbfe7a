import { HUB_DEFAULT_ENDPOINT, HUB_DEFAULT_REVISION } from '../constants';
import { VirtualTensorError } from '../errors';

/** A repository at a revision on a Hugging Face–compatible hub. */
export interface HubRef {
  /** origin (and optional path prefix) of the hub, without a trailing slash */
  endpoint: string;
  /** `org/name` (or a legacy single-segment name such as `gpt2`) */
  repo: string;
  /** branch, tag or commit */
  revision: string;
}

// Hub repository names: letters, digits, '-', '_', '.'; no leading/trailing '-'/'.', no '--' or '..'.
const NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

function invalid(msg: string, details: string): VirtualTensorError {
  return new VirtualTensorError('HUB_INVALID', msg, { details });
}

/**
 * Validates and completes a hub reference. The endpoint defaults to
 * `https://huggingface.co`, the revision to `main`.
 * @throws VirtualTensorError `HUB_INVALID`
 */
export function hubRef(repo: string, opts: { endpoint?: string; revision?: string } = {}): HubRef {
  const parts = typeof repo === 'string' ? repo.split('/') : [];
  if (
    parts.length < 1 ||
    parts.length > 2 ||
    !parts.every((p) => NAME_RE.test(p) && !p.includes('--') && !p.includes('..'))
  ) {
    throw invalid(
      `"${String(repo)}" is not a hub repository id.`,
      'Use org/name as shown on the model page, e.g. Qwen/Qwen2-0.5B.',
    );
  }
  const revision = opts.revision ?? HUB_DEFAULT_REVISION;
  if (revision.length === 0 || revision.length > 255 || /[\s\\]|\.\./.test(revision)) {
    throw invalid(`"${revision}" is not a revision.`, 'Give a branch, tag or commit hash (default main).');
  }
  const raw = opts.endpoint ?? HUB_DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new VirtualTensorError('HUB_INVALID', `"${raw}" is not a URL.`, {
      details: 'Give the hub endpoint as http(s)://host[/prefix], e.g. https://huggingface.co.',
      cause,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`Hub endpoint "${raw}" must be http(s).`, 'e.g. https://huggingface.co or a mirror.');
  }
  const endpoint = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { endpoint, repo, revision };
}

/**
 * `{endpoint}/{repo}/resolve/{revision}/{file}`, the hub's download URL of a
 * file (revision and path segments percent-encoded).
 */
export function hubFileUrl(ref: HubRef, file: string): URL {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return new URL(`${ref.endpoint}/${ref.repo}/resolve/${encodeURIComponent(ref.revision)}/${path}`);
}
