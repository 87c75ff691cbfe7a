import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for the coordinator's HTTP API and model files, for pages served from
 * other origins (the web UI's `?coordinator=`, a `vite dev` server, another
 * app). Only the listed origins are allowed; `'*'` allows any page, which lets
 * every site a user visits spend this coordinator's compute and rate limits,
 * so it is not the default.
 *
 * Sets the response headers for an allowed `Origin` and answers preflight
 * `OPTIONS` requests (204); returns whether the request was answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (allowed.length === 0 || origin === undefined) return false;
  const any = allowed.includes('*');
  if (!any && !allowed.includes(origin)) return false;
  res.setHeader('access-control-allow-origin', any ? '*' : origin);
  if (!any) res.setHeader('vary', 'Origin');
  // model chunks are fetched by pages that are cross-origin isolated (COEP require-corp)
  res.setHeader('cross-origin-resource-policy', 'cross-origin');
  res.setHeader('access-control-expose-headers', 'content-length, content-range, retry-after');
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, range',
    'access-control-max-age': '600',
  });
  res.end();
  return true;
}
