import { generate, gpt2Tokenizer, StageChain, weightsFromEntries } from '@ailo/pipeline';
import { createWebBackend } from '@ailo/pipeline/web';
import {
  fetchManifest,
  HttpStore,
  IdbStore,
  MemoryStore,
  modelConfigFromHf,
  VirtualModel,
} from '@ailo/virtual-tensor';

const status = document.querySelector<HTMLParagraphElement>('#status')!;
const log = document.querySelector<HTMLDivElement>('#log')!;
const form = document.querySelector<HTMLFormElement>('#chat')!;
const input = document.querySelector<HTMLInputElement>('#message')!;
const send = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
const stop = document.querySelector<HTMLButtonElement>('#stop')!;

/** Results the end-to-end test reads. */
declare global {
  interface Window {
    ailo: { ready: boolean; lastIds: number[]; backend: string; cache: string; error?: string };
  }
}
window.ailo = { ready: false, lastIds: [], backend: '', cache: '' };

async function openStore(base: string) {
  // IndexedDB keeps chunks across visits; if it is unavailable (private mode, quota), fall back to memory.
  try {
    const cache = new IdbStore({ name: 'ailo-browser-chat' });
    await cache.keys();
    window.ailo.cache = 'indexeddb';
    return new HttpStore({
      baseUrl: base,
      cache,
      onProgress: (p) => {
        status.textContent = `Downloading ${p.key}: ${fmt(p.bytes)} / ${fmt(p.total ?? 0)}`;
      },
    });
  } catch {
    window.ailo.cache = 'memory';
    return new HttpStore({ baseUrl: base, cache: new MemoryStore() });
  }
}

const fmt = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

async function main() {
  const base = new URL('model/', location.href).href;
  const manifest = await fetchManifest(base);
  const model = VirtualModel.open(manifest, await openStore(base));
  const config = modelConfigFromHf(manifest.model.hf);
  const weights = weightsFromEntries(await model.loadLayers(0, config.numLayers));
  const backend = await createWebBackend('wasm', { wasmPaths: new URL('ort/', location.href).href });
  window.ailo.backend = backend.name;
  const chain = await StageChain.create(config, weights, backend);
  const tokenizer = gpt2Tokenizer();
  status.textContent = `Ready: ${config.numLayers} layers on ${backend.name}, chunks cached in ${window.ailo.cache}.`;
  for (const el of [input, send]) el.disabled = false;
  window.ailo.ready = true;

  let abort: AbortController | undefined;
  stop.addEventListener('click', () => abort?.abort());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    log.insertAdjacentHTML('beforeend', `<div class="you"></div><div class="model"></div>`);
    (log.lastElementChild!.previousElementSibling as HTMLElement).textContent = `You: ${text}`;
    const out = log.lastElementChild as HTMLElement;
    out.textContent = 'Model: ';
    abort = new AbortController();
    send.disabled = true;
    stop.disabled = false;
    const ids: number[] = [];
    try {
      const it = generate(
        chain,
        tokenizer.encode(text),
        { greedy: true, maxTokens: 12, signal: abort.signal, stopOnEos: false },
        tokenizer,
      );
      for await (const t of it) {
        ids.push(t.id);
        out.textContent += t.text;
      }
    } catch (e) {
      out.textContent += ` [${(e as Error).message}]`;
    } finally {
      window.ailo.lastIds = ids;
      send.disabled = false;
      stop.disabled = true;
      log.dataset.done = String(Number(log.dataset.done ?? 0) + 1);
    }
  });
}

main().catch((e: unknown) => {
  window.ailo.error = String((e as Error)?.message ?? e);
  status.textContent = `Error: ${window.ailo.error}`;
});
