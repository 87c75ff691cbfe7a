import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServedModel } from '../coordinator/ServedModel';
import { sendText } from './respond';

/** Parses `bytes=a-b` / `bytes=a-` against `size`; undefined when absent or unsatisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header.trim()) : null;
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start <= end ? { start, end } : undefined;
}

/**
 * Serves `GET /models/<id>/<version>/<file>`: `manifest.json` or a chunk file,
 * with `Range` support so an interrupted download resumes. Returns false when
 * the path is not a model file path.
 */
export async function serveModelFiles(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  lookup: (id: string, version: string) => ServedModel | undefined,
): Promise<boolean> {
  const m = /^\/models\/([^/]+)\/([0-9a-f]{64})\/([A-Za-z0-9._-]+)$/.exec(path);
  if (!m) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'method not allowed');
    return true;
  }
  const model = lookup(decodeURIComponent(m[1]!), m[2]!);
  if (!model) {
    sendText(res, 404, 'unknown model version');
    return true;
  }
  const file = m[3]!;
  const bytes =
    file === 'manifest.json'
      ? model.manifestBytes
      : model.manifest.chunks.some((c) => c.file === file)
        ? await model.store.get(file)
        : undefined;
  if (!bytes) {
    sendText(res, 404, 'no such file');
    return true;
  }
  const range = parseRange(req.headers.range, bytes.length);
  const type = file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  const headers: Record<string, string | number> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'cache-control': 'public, max-age=31536000, immutable',
  };
  if (range) {
    res.writeHead(206, {
      ...headers,
      'content-length': range.end - range.start + 1,
      'content-range': `bytes ${range.start}-${range.end}/${bytes.length}`,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes.subarray(range.start, range.end + 1));
  } else {
    res.writeHead(200, { ...headers, 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }
  return true;
}
