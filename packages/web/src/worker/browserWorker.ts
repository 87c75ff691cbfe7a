/// <reference lib="webworker" />
import { messageOf } from '../errors';
import type { FromWorker, ToWorker } from './messages';
import { runBrowserWorker } from './runBrowserWorker';

// Web Worker entry: one worker node per Web Worker, so inference and training never block the page.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: FromWorker) => scope.postMessage(m);
let running: AbortController | undefined;

scope.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'stop') {
    running?.abort();
    running = undefined;
    return;
  }
  if (running) return;
  const ac = new AbortController();
  running = ac;
  runBrowserWorker(m, post, ac.signal).catch((e: unknown) => {
    post({ type: 'state', state: 'failed', detail: messageOf(e) });
    if (running === ac) running = undefined;
  });
});
