import type { IncomingMessage } from 'node:http';
import { MAX_HTTP_BODY_BYTES } from '../constants';
import { NodeError } from '../errors';

/**
 * Reads a JSON request body, refusing it as soon as it passes `maxBytes`
 * (checked on `content-length` first, then while streaming).
 * @throws NodeError `too_large`, or `bad_request` for a body that is not JSON.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = MAX_HTTP_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw new NodeError('too_large', `Request body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > maxBytes) {
      req.resume();
      throw new NodeError('too_large', `Request body exceeds the ${maxBytes}-byte limit`);
    }
    parts.push(chunk);
  }
  const text = Buffer.concat(parts).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new NodeError('bad_request', 'The request body is not valid JSON', {
      cause,
      details: (cause as Error).message,
    });
  }
}
