import type { FromWorker, ToWorker } from './messages';

/**
 * The page's side of the browser worker: starts the Web Worker, forwards its
 * events. One per page; `stop` ends the node (the coordinator re-routes its span).
 */
export class BrowserWorkerHandle {
  private worker: Worker | undefined;
  private readonly listeners = new Set<(m: FromWorker) => void>();

  get running(): boolean {
    return this.worker !== undefined;
  }

  onMessage(fn: (m: FromWorker) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  start(m: Extract<ToWorker, { type: 'start' }>): void {
    if (this.worker) return;
    const w = new Worker(new URL('./browserWorker.ts', import.meta.url), { type: 'module' });
    w.addEventListener('message', (ev: MessageEvent<FromWorker>) => {
      for (const fn of this.listeners) fn(ev.data);
    });
    w.addEventListener('error', (ev) => {
      for (const fn of this.listeners) fn({ type: 'state', state: 'failed', detail: ev.message });
    });
    w.postMessage(m satisfies ToWorker);
    this.worker = w;
  }

  /** Stops the node and terminates the Web Worker. */
  stop(): void {
    this.worker?.postMessage({ type: 'stop' } satisfies ToWorker);
    const w = this.worker;
    this.worker = undefined;
    setTimeout(() => w?.terminate(), 500);
  }
}
