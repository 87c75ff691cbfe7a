import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpHandler } from '../coordinator/Coordinator';
import { sendText } from './respond';

/** Options of {@link webUiRoutes}. */
export interface WebUiRoutesOptions {
  /** the built web UI (`packages/web/dist`); default: `AILO_WEB_DIR`, else `@ailo/web`'s dist */
  dir?: string;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Cross-origin isolation (COOP + COEP) lets onnxruntime-web run WASM threads
 * (SharedArrayBuffer); CORP lets the isolated page load these files.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

/** Paths of the UI: the page itself and its bundled assets. */
const UI_PATH = /^\/(?:index\.html)?$|^\/(?:assets|ort)\/[A-Za-z0-9._-]+$|^\/favicon\.ico$/;

/** Where the built web UI is, if anywhere: `dir`, `AILO_WEB_DIR`, the installed `@ailo/web`, or the monorepo's packages/web. */
export function findWebUiDir(dir?: string): string | undefined {
  const candidates: string[] = [];
  if (dir) candidates.push(dir);
  else {
    if (process.env.AILO_WEB_DIR) candidates.push(process.env.AILO_WEB_DIR);
    try {
      const pkg = createRequire(import.meta.url).resolve('@ailo/web/package.json');
      candidates.push(join(dirname(pkg), 'dist'));
    } catch {
      // not installed beside @ailo/node
    }
    // sources (packages/node/src/http) and the bundle (packages/node/dist) inside the monorepo
    const here = dirname(fileURLToPath(import.meta.url));
    candidates.push(resolve(here, '../../../web/dist'), resolve(here, '../../web/dist'));
  }
  return candidates.find((d) => existsSync(join(d, 'index.html')));
}

/**
 * Serves the web UI (`@ailo/web`, built with Vite) at `/`: `index.html`,
 * `/assets/*` and `/ort/*` (onnxruntime-web's runtime), every response
 * cross-origin isolated. When the UI is not built, `/` answers 404 with the
 * command that builds it. Other paths fall through.
 */
export function webUiRoutes(opts: WebUiRoutesOptions = {}): HttpHandler {
  return (req, res, url) => {
    if (!UI_PATH.test(url.pathname)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const root = findWebUiDir(opts.dir);
    if (!root) {
      sendText(
        res,
        404,
        'The web UI is not built. Build it with `pnpm --filter @ailo/web build` (or set AILO_WEB_DIR to a built packages/web/dist), then reload.\n',
      );
      return true;
    }
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = resolve(root, rel);
    if (!file.startsWith(resolve(root) + sep)) return false;
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return false;
      size = st.size;
    } catch {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, { ...CROSS_ORIGIN_ISOLATION_HEADERS });
        res.end();
        return true;
      }
      sendText(res, 404, `No file ${url.pathname} in the web UI build`);
      return true;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      // hashed asset names never change; index.html and ort/ files may
      'cache-control': url.pathname.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
      ...CROSS_ORIGIN_ISOLATION_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}
