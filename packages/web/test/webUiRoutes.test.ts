import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webUiRoutes } from '../../node/src/http/webUiRoutes';

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(dir: string): Promise<string> {
  const handler = webUiRoutes({ dir });
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!(await handler(req, res, url))) res.writeHead(418).end('fell through');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('webUiRoutes', () => {
  it('serves index.html and assets cross-origin isolated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ailo-webui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'assets', 'app-1.js'), 'export {}');
    const base = await serve(dir);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toContain('<title>x</title>');
    const js = await fetch(`${base}/assets/app-1.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('leaves other paths (API, traversal attempts) to the next route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ailo-webui-'));
    writeFileSync(join(dir, 'index.html'), 'ok');
    const base = await serve(dir);
    for (const p of ['/health', '/v1/models', '/assets/..%2F..%2Fetc%2Fpasswd', '/assets/../index.html/x']) {
      expect((await fetch(`${base}${p}`)).status, p).toBe(418);
    }
  });

  it('answers 404 with the build command when the UI is not built', async () => {
    const base = await serve(join(tmpdir(), 'ailo-webui-not-built-here'));
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('pnpm --filter @ailo/web build');
  });
});
