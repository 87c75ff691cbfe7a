import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAlc, parseAlc } from '@ailo/ledger';
import { type RunningWorker, startCoordinatorNode, startWorker } from '@ailo/node';
import { generateAll, gpt2Tokenizer } from '@ailo/pipeline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../node/test/runCli';
import { launchChromium, recordConsole } from './chromium';
import {
  maxAbsDiff,
  nodeGreedy,
  nodePromptLogits,
  startTestNetwork,
  type TestNetwork,
  TRAINING_TEXT,
} from './network';

const ROOT = join(import.meta.dirname, '..');
const SHOTS = join(ROOT, '../../test-results/web');
const PROMPT = 'The federated network';
/** the UI's reply length (CHAT_MAX_TOKENS) */
const MAX_TOKENS = 24;

let net: TestNetwork;
let browser: Browser;
let ctxA: BrowserContext;
let nodeWorker: RunningWorker | undefined;

beforeAll(async () => {
  await build({ root: ROOT, logLevel: 'warn', configFile: join(ROOT, 'vite.config.ts') });
  mkdirSync(SHOTS, { recursive: true });
  [net, browser] = await Promise.all([startTestNetwork(), launchChromium()]);
  ctxA = await browser.newContext();
}, 120_000);

afterAll(async () => {
  await nodeWorker?.stop();
  await browser?.close();
  await net?.close();
});

async function open(page: Page, hash: string, query = 'backend=wasm'): Promise<string[]> {
  const lines = recordConsole(page);
  await page.goto(`${net.node.coordinator.httpUrl}/?${query}#/${hash}`);
  return lines;
}

async function waitChatReady(page: Page, lines: string[]): Promise<void> {
  await page
    .waitForFunction(() => window.ailo?.chat.ready || window.ailo?.chat.error, null, { timeout: 60_000 })
    .catch(async (e) => {
      throw new Error(
        `chat never ready: ${await page.locator('#chat-status').textContent()}\n${lines.join('\n')}`,
        {
          cause: e,
        },
      );
    });
  expect(await page.evaluate(() => window.ailo.chat.error)).toBeUndefined();
}

async function sendAndWait(page: Page, text: string, n: number): Promise<void> {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction(
    (k) => document.querySelector('[role=log]')?.getAttribute('data-done') === String(k),
    n,
    {
      timeout: 60_000,
    },
  );
}

describe('web UI served by the coordinator (real Chromium)', () => {
  it('the bundles pull in no Node built-in', () => {
    const assets = join(ROOT, 'dist/assets');
    // onnxruntime-web's own bundle keeps a `typeof navigator` guarded require('node:os'), never run in browsers
    const ours = readdirSync(assets).filter((n) => n.endsWith('.js') && !n.startsWith('ort.'));
    expect(ours.length).toBeGreaterThanOrEqual(2); // the page and the Web Worker
    for (const f of ours) {
      const hits = readFileSync(join(assets, f), 'utf8').match(
        /["'`]node:[a-z_/]+["'`]|__vite-browser-external/g,
      );
      expect(hits, f).toBeNull();
    }
  });

  it('serves the UI cross-origin isolated; solo chat in the tab (WASM) equals `ailo generate`; a reload fetches no chunk', async () => {
    const page = await ctxA.newPage();
    const res = await page.goto(`${net.node.coordinator.httpUrl}/?backend=wasm#/chat`);
    expect(res?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(res?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    const lines = recordConsole(page);
    await waitChatReady(page, lines);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => window.ailo.chat.backend)).toBe('wasm');
    expect(await page.evaluate(() => window.ailo.chat.cache)).toBe('indexeddb');
    const firstVisit = net.chunkRequests();
    expect(firstVisit).toBeGreaterThan(0);

    await sendAndWait(page, PROMPT, 1);
    const ids = await page.evaluate(() => window.ailo.chat.lastIds);
    const cli = JSON.parse(
      await runCli([
        'generate',
        net.modelDir,
        '--prompt',
        PROMPT,
        '--max-tokens',
        String(MAX_TOKENS),
        '--greedy',
        '--json',
      ]),
    ) as { ids: number[]; text: string };
    expect(ids).toHaveLength(MAX_TOKENS);
    expect(ids).toEqual(cli.ids);
    const wasmLogits = await page.evaluate(() => window.ailo.chat.promptLogits ?? []);
    // from the model directory: reading the served copy would count as chunk requests
    expect(maxAbsDiff(wasmLogits, await nodePromptLogits(net.modelDir, PROMPT))).toBeLessThanOrEqual(1e-4);
    expect(await page.getByRole('log').textContent()).toContain(`Model: ${cli.text}`);
    await page.screenshot({ path: join(SHOTS, 'chat.png'), fullPage: true });

    await page.reload();
    await waitChatReady(page, lines);
    expect(net.chunkRequests()).toBe(firstVisit); // every chunk came from IndexedDB
    await page.close();
  }, 90_000);

  it('a browser worker serves a stage next to a Node worker; distributed output equals local, also through network chat', async () => {
    const c = net.node.coordinator;
    nodeWorker = startWorker({ coordinator: c.url, layers: { start: 0, end: 1 }, followLedger: false });
    const page = await ctxA.newPage();
    const lines = await open(page, 'contribute');
    await page.getByLabel('Layers (start:end)').fill('1:2');
    await page.getByRole('button', { name: 'Join as worker' }).click();
    await page
      .waitForFunction(
        () => window.ailo.worker.span !== undefined || window.ailo.worker.state === 'failed',
        null,
        {
          timeout: 60_000,
        },
      )
      .catch((e) => {
        throw new Error(`browser worker never served:\n${lines.join('\n')}`, { cause: e });
      });
    expect(await page.evaluate(() => window.ailo.worker.error)).toBeUndefined();
    await c.waitForCoverage(undefined, 30_000);

    const tok = gpt2Tokenizer();
    const remote = await generateAll(c.pipeline(), tok.encode(PROMPT), {
      greedy: true,
      maxTokens: 12,
      stopOnEos: false,
    });
    const local = await nodeGreedy(net.modelDir, PROMPT, 12);
    expect(remote.ids).toEqual(local.ids);
    const browserEntry = c.workers.list().find((w) => w.span?.start === 1 && w.backends.includes('wasm'));
    expect(browserEntry?.steps).toBeGreaterThan(0);
    await page.waitForFunction(() => window.ailo.worker.steps > 0, null, { timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'contribute.png'), fullPage: true });

    const chat = await ctxA.newPage();
    await open(chat, 'chat');
    await chat.getByLabel('Network (distributed)').check();
    await sendAndWait(chat, PROMPT, 1);
    const full = await nodeGreedy(net.modelDir, PROMPT, MAX_TOKENS);
    expect(
      await chat.evaluate(() => window.ailo.chat.lastText),
      (await chat.getByRole('log').textContent()) ?? '',
    ).toBe(full.text);

    await chat.goto(`${c.httpUrl}/?backend=wasm#/network`);
    await chat.getByRole('table', { name: 'Nodes' }).getByText('tiny-gpt2[1:2)').waitFor({ timeout: 10_000 });
    expect(await chat.locator('td[data-coverage]').getAttribute('data-coverage')).toBe('1,1');
    await chat.screenshot({ path: join(SHOTS, 'network.png'), fullPage: true });
    await chat.close();
    await page.close();
  }, 90_000);

  it('wallet: a transfer between two browser contexts shows up with its status on both sides', async () => {
    const ctxB = await browser.newContext();
    const a = await ctxA.newPage();
    const b = await ctxB.newPage();
    await Promise.all([open(a, 'wallet'), open(b, 'wallet')]);
    const status = (p: Page) => p.locator('#wallet-status');
    await expect.poll(() => status(a).textContent(), { timeout: 20_000 }).toContain('verified locally');
    await expect.poll(() => status(b).textContent(), { timeout: 20_000 }).toContain('verified locally');
    const addrA = (await a.locator('#address').textContent())!;
    const addrB = (await b.locator('#address').textContent())!;
    expect(addrA).not.toBe(addrB);
    const ledger = net.node.ledger!;
    await ledger.issue(
      [{ to: addrA as never, amount: 5n * 10n ** 8n, reason: 'inference', reference: 'web-test' }],
      1,
    );
    await expect
      .poll(() => a.locator('#balance').textContent(), { timeout: 10_000 })
      .toContain('Spendable 5');

    await a.getByLabel('Recipient').fill(addrB);
    await a.getByLabel('Amount (ALC)').fill('1.5');
    await a.getByRole('button', { name: 'Send ALC' }).click();
    await expect.poll(() => status(a).textContent(), { timeout: 10_000 }).toContain('Transfer submitted');
    await expect.poll(() => a.locator('[data-status=SUBMITTED] .tx-status').count()).toBe(1);
    await ledger.flush();
    const rowA = a.locator('tr[data-status=PENDING]', { hasText: 'TRANSFER' });
    await rowA.waitFor({ timeout: 10_000 });
    expect(await rowA.locator('.tx-confirmations').textContent()).toBe('0/10');
    await expect
      .poll(() => b.locator('#balance').textContent(), { timeout: 10_000 })
      .toContain('pending 1.5');
    await b.locator('tr[data-status=PENDING]', { hasText: 'TRANSFER' }).waitFor({ timeout: 10_000 });

    // a third wallet sees the transfer among those to check and votes VERIFY: 1/10 on both sides
    const ctxC = await browser.newContext();
    const c = await ctxC.newPage();
    await open(c, 'wallet');
    const toCheck = c.getByRole('table', { name: 'Transfers to check' }).locator('tr[data-status=PENDING]');
    await toCheck.waitFor({ timeout: 20_000 });
    // only active nodes (a recent contribution) may vote: refused first, with the ledger's reason
    await toCheck.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => status(c).textContent(), { timeout: 10_000 }).toContain('Verify refused');
    const addrC = (await c.locator('#address').textContent())!;
    await ledger.issue(
      [{ to: addrC as never, amount: 10n ** 6n, reason: 'inference', reference: 'web-test-c' }],
      1,
    );
    await expect
      .poll(() => c.locator('#balance').textContent(), { timeout: 10_000 })
      .toContain('Spendable 0.01');
    await toCheck.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => status(c).textContent(), { timeout: 10_000 }).toContain('Verify submitted');
    await ledger.flush();
    await expect
      .poll(() => rowA.locator('.tx-confirmations').textContent(), { timeout: 10_000 })
      .toBe('1/10');
    await a.screenshot({ path: join(SHOTS, 'wallet.png'), fullPage: true });
    await ctxC.close();
    await ctxB.close();
    await a.close();
  }, 60_000);

  it('a browser trainer joins a federated round: its update is accepted and the reward shows in the Wallet page', async () => {
    const rounds = net.node.rounds!;
    const page = await ctxA.newPage();
    const lines = await open(page, 'contribute');
    await page.getByLabel('Join training rounds').check();
    await page.getByLabel('Private training text (stays on this device)').fill(TRAINING_TEXT);
    await page.getByRole('button', { name: 'Join as worker' }).click();
    await expect
      .poll(() => rounds.trainers().length, { timeout: 30_000, message: lines.join('\n') })
      .toBeGreaterThan(0);
    const report = await rounds.runRound();
    expect(report.rejected, JSON.stringify(report.rejected)).toEqual([]);
    expect(report.accepted).toHaveLength(1);
    const reward = report.accepted[0]!.reward;
    expect(reward).toBeGreaterThan(0n);
    await expect
      .poll(() => page.locator('[data-line=verdict]').textContent(), { timeout: 10_000 })
      .toContain(`your update was accepted; reward ${formatAlc(reward)} ALC`);
    await page.screenshot({ path: join(SHOTS, 'contribute-training.png'), fullPage: true });

    const wallet = await ctxA.newPage();
    await open(wallet, 'wallet');
    // the reward is one `training` MINT, plus a `fast_bonus` MINT when the update came in quickly
    const mints = wallet.locator('tr', { hasText: `round/${report.round}/` });
    await mints.first().waitFor({ timeout: 20_000 });
    await expect
      .poll(
        async () =>
          (await mints.locator('td:nth-child(4)').allTextContents())
            .map((a) => parseAlc(a.replace(/ ALC$/, '')))
            .reduce((x, y) => x + y, 0n),
        { timeout: 10_000 },
      )
      .toBe(reward);
    await wallet.close();
    await page.close();
  }, 90_000);

  it('no WebGPU and IndexedDB quota exceeded: chat falls back to WASM and memory and says so; a corrupted cached chunk is fetched again', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    const origin = net.node.coordinator.httpUrl;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1024 });
    // and a browser without WebGPU: `auto` falls back to WASM and says why
    await ctx.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }),
    );
    const lines = await open(page, 'chat', 'backend=auto&max_tokens=8');
    await waitChatReady(page, lines);
    expect(await page.evaluate(() => window.ailo.chat.cache)).toBe('memory');
    expect(await page.evaluate(() => window.ailo.chat.backend)).toBe('wasm');
    const chatStatus = await page.locator('#chat-status').textContent();
    expect(chatStatus).toContain('Storage quota exceeded');
    expect(chatStatus).toContain('WebGPU is not available');
    await sendAndWait(page, PROMPT, 1);
    expect(await page.evaluate(() => window.ailo.chat.lastIds)).toEqual(
      (await nodeGreedy(net.node.coordinator.model(), PROMPT, 8)).ids,
    );
    await ctx.close();

    // ctxA has every chunk of the current version cached: overwrite one with garbage
    const a = await ctxA.newPage();
    const linesA = await open(a, 'chat');
    await waitChatReady(a, linesA);
    const before = net.chunkRequests();
    const m = net.node.coordinator.model();
    const file = m.manifest.chunks[0]!.file;
    await a.evaluate(
      async ({ db, key }) => {
        const open = indexedDB.open(db);
        const conn = await new Promise<IDBDatabase>((r) => {
          open.onsuccess = () => r(open.result);
        });
        const tx = conn.transaction('chunks', 'readwrite');
        tx.objectStore('chunks').put(new Uint8Array(64).fill(7).buffer, key);
        await new Promise((r) => {
          tx.oncomplete = r;
        });
        conn.close();
      },
      { db: `ailo-chunks-${m.id}-${m.version.slice(0, 16)}`, key: file },
    );
    await a.reload();
    await waitChatReady(a, linesA);
    expect(net.chunkRequests()).toBe(before + 1); // only the corrupted chunk was fetched again
    await sendAndWait(a, PROMPT, 1);
    expect(await a.evaluate(() => window.ailo.chat.lastText)).not.toBe('');
    await a.close();
  }, 60_000);

  it('a trainer tab closed mid-round: the round still closes without it', async () => {
    const rounds = net.node.rounds!;
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await open(page, 'contribute');
    await page.getByLabel('Join training rounds').check();
    await page.getByLabel('Private training text (stays on this device)').fill(TRAINING_TEXT);
    await page.getByRole('button', { name: 'Join as worker' }).click();
    await expect.poll(() => rounds.trainers().length, { timeout: 30_000 }).toBeGreaterThan(0);
    const t = rounds.round;
    const report = rounds.runRound();
    await expect
      .poll(() => page.locator('[data-line=training]').textContent(), { timeout: 30_000 })
      .toContain(`Round ${t}`);
    await ctx.close();
    const r = await report;
    expect(r.round).toBe(t);
    expect(r.accepted).toEqual([]);
    expect(r.rejected).toHaveLength(1);
    expect(rounds.round).toBe(t + 1);
  }, 60_000);

  it('WebGPU (SwiftShader) runs the model in the tab with the same greedy output as WASM', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    // SwiftShader is software WebGPU (~1 s per token here): a short reply
    const lines = await open(page, 'chat', 'backend=webgpu&max_tokens=4');
    await waitChatReady(page, lines);
    expect(await page.evaluate(() => window.ailo.chat.backend)).toBe('webgpu');
    expect(await page.locator('#chat-status').textContent()).toContain('WebGPU');
    await sendAndWait(page, PROMPT, 1);
    expect(await page.evaluate(() => window.ailo.chat.lastIds)).toEqual(
      (await nodeGreedy(net.node.coordinator.model(), PROMPT, 4)).ids,
    );
    // the logits themselves, against onnxruntime-node: f32 everywhere, different kernels
    const logits = await page.evaluate(() => window.ailo.chat.promptLogits ?? []);
    const ref = await nodePromptLogits(net.node.coordinator.model(), PROMPT);
    expect(logits).toHaveLength(ref.length);
    expect(maxAbsDiff(logits, ref)).toBeLessThanOrEqual(1e-3);
    await ctx.close();
  }, 60_000);

  it('?coordinator= on another origin: connects where that coordinator allows this page (--cors-origin), not elsewhere', async () => {
    const pageOrigin = net.node.coordinator.httpUrl;
    const start = (name: string, corsOrigins: string[]) =>
      startCoordinatorNode({
        dataDir: join(net.modelDir, '..', name),
        port: 0,
        models: [{ dir: net.modelDir }],
        corsOrigins,
      });
    const [allowing, refusing] = await Promise.all([
      start('cors-allow', [pageOrigin]),
      start('cors-none', []),
    ]);
    try {
      const page = await ctxA.newPage();
      await open(page, 'network', `coordinator=${allowing.coordinator.httpUrl}`);
      await expect
        .poll(() => page.locator('#connection').textContent(), { timeout: 10_000 })
        .toContain('Connected');
      await open(page, 'network', `coordinator=${refusing.coordinator.httpUrl}`);
      await expect
        .poll(() => page.locator('#connection').textContent(), { timeout: 10_000 })
        .toContain('Coordinator unreachable');
      await page.close();
    } finally {
      await Promise.all([allowing.close(), refusing.close()]);
    }
  }, 60_000);

  it('coordinator unreachable: the UI says it is reconnecting', async () => {
    const page = await ctxA.newPage();
    await open(page, 'network', 'coordinator=http://127.0.0.1:9');
    await expect
      .poll(() => page.locator('#connection').textContent(), { timeout: 10_000 })
      .toContain('Coordinator unreachable — reconnecting');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('reconnecting');
    await page.close();
  }, 30_000);

  it('coordinator restarting: the page says it is reconnecting, then reconnects by itself', async () => {
    const page = await ctxA.newPage();
    await open(page, 'network');
    const badge = page.locator('#connection');
    await expect.poll(() => badge.textContent(), { timeout: 10_000 }).toContain('Connected');
    await net.restart(500, async () => {
      await expect
        .poll(() => badge.textContent(), { timeout: 10_000 })
        .toContain('Coordinator unreachable — reconnecting');
    });
    await expect.poll(() => badge.textContent(), { timeout: 20_000 }).toContain('Connected');
    await expect
      .poll(() => page.locator('#network-summary').textContent(), { timeout: 10_000 })
      .toContain('round');
    await page.close();
  }, 60_000);
});
