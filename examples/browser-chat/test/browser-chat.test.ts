import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { generateAll, gpt2Tokenizer, StageChain, type Weight } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import { encodeSafetensors, float32ToEntry, makeModelConfig, modelTensors } from '@ailo/virtual-tensor';
import { packModel } from '@ailo/virtual-tensor/node';
import { type BrowserContext, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, '../../test-results/browser-chat');

const config = makeModelConfig({
  architecture: 'gpt2',
  numLayers: 2,
  hiddenSize: 64,
  numHeads: 4,
  vocabSize: 50257,
  maxPositions: 128,
});

function randomWeights(): Map<string, Weight> {
  let s = 2024;
  const out = new Map<string, Weight>();
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 0.5;
    }
    if (/ln_/.test(t.name) && t.name.endsWith('weight')) data.fill(1);
    out.set(t.name, { shape: t.shape, data });
  }
  return out;
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

let server: Server;
let url = '';
let chunkRequests = 0;
const notFound: string[] = [];
let context: BrowserContext;
const weights = randomWeights();

beforeAll(async () => {
  await build({ root: ROOT, logLevel: 'warn', configFile: join(ROOT, 'vite.config.ts') });
  const tmp = mkdtempSync(join(tmpdir(), 'ailo-browser-'));
  const st = join(tmp, 'model.safetensors');
  writeFileSync(
    st,
    encodeSafetensors(
      [...weights].map(
        ([n, w]) => [n, float32ToEntry(w.data, w.shape)] as [string, ReturnType<typeof float32ToEntry>],
      ),
    ),
  );
  rmSync(join(DIST, 'model'), { recursive: true, force: true });
  await packModel({ input: st, out: join(DIST, 'model'), hfConfig: config.hf, chunks: 4 });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = join(DIST, path === '/' ? 'index.html' : path);
    if (!file.startsWith(DIST)) return void res.writeHead(403).end();
    if (/\/model\/chunk/.test(path)) chunkRequests++;
    try {
      statSync(file);
    } catch {
      notFound.push(path);
      return void res.writeHead(404).end();
    }
    // cross-origin isolation lets onnxruntime-web use threads
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  mkdirSync(SHOTS, { recursive: true });
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'ailo-chromium-')), {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  server?.close();
});

describe('browser chat (real Chromium, WASM, IndexedDB)', () => {
  it('greedy output in the browser equals Node, and a reload fetches no chunk again', async () => {
    const prompt = 'The federated network';
    const page = await context.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page
      .waitForFunction(() => window.ailo?.ready || window.ailo?.error, null, { timeout: 120_000 })
      .catch(async (e) => {
        throw new Error(
          `page never became ready: ${await page.locator('#status').textContent()}\n${consoleLines.join('\n')}\n404: ${notFound.join(', ')}`,
          { cause: e },
        );
      });
    expect(await page.evaluate(() => window.ailo.error)).toBeUndefined();
    expect(await page.evaluate(() => window.ailo.cache)).toBe('indexeddb');
    const firstVisitChunks = chunkRequests;
    expect(firstVisitChunks).toBe(4);

    await page.getByLabel('Message').fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForFunction(
      () => document.querySelector('[role=log]')?.getAttribute('data-done') === '1',
      null,
      { timeout: 120_000 },
    );
    const browserIds = await page.evaluate(() => window.ailo.lastIds);
    await page.screenshot({ path: join(SHOTS, 'chat.png') });

    const chain = await StageChain.create(config, weights, createNodeBackend('cpu'));
    const tok = gpt2Tokenizer();
    const node = await generateAll(
      chain,
      tok.encode(prompt),
      { greedy: true, maxTokens: 12, stopOnEos: false },
      tok,
    );
    expect(browserIds).toEqual(node.ids);
    expect(await page.getByRole('log').textContent()).toContain(`Model: ${node.text}`);

    await page.reload();
    await page.waitForFunction(() => window.ailo?.ready || window.ailo?.error, null, { timeout: 120_000 });
    expect(chunkRequests).toBe(firstVisitChunks); // every chunk came from IndexedDB
    await page.close();
  }, 300_000);
});
