import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (CI: `apt-get install -y chromium`; see scripts/ensure-chromium.mjs). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium with WASM, IndexedDB and a SwiftShader WebGPU adapter (flags verified on these machines). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
      '--enable-unsafe-webgpu',
    ],
  });
}

/** Collects console lines and page errors, for failure messages. */
export function recordConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  return lines;
}
