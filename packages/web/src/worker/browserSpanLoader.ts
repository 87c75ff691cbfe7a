import type { SpanLoader } from '@ailo/node/worker';
import type { ChunkProgress } from '@ailo/virtual-tensor';
import { loadWeights, openRemoteModelInBrowser } from '../model/openRemoteModelInBrowser';

/** Callbacks of {@link browserSpanLoader}. */
export interface BrowserLoaderEvents {
  onProgress?(p: ChunkProgress): void;
  onCache?(kind: 'indexeddb' | 'memory', reason?: string): void;
}

/**
 * The browser counterpart of `httpSpanLoader` (`@ailo/node`): fetches only the
 * chunks of the assigned span from the coordinator, verifies each by sha256,
 * and caches them in IndexedDB (memory when the quota is exceeded).
 */
export function browserSpanLoader(ev: BrowserLoaderEvents = {}): SpanLoader {
  return async (a, signal) => {
    const { vm, cache } = await openRemoteModelInBrowser(a, {
      signal,
      ...(ev.onProgress ? { onProgress: ev.onProgress } : {}),
      onCacheFallback: (reason) => ev.onCache?.('memory', reason),
    });
    if (cache.kind === 'indexeddb') ev.onCache?.('indexeddb');
    return loadWeights(vm, a.start, a.end, signal);
  };
}

/** Every weight of a model version (trainers need the whole model). */
export async function loadWholeModelInBrowser(
  m: { model: string; version: string; manifestUrl: string },
  signal: AbortSignal,
  ev: BrowserLoaderEvents = {},
) {
  const { vm } = await openRemoteModelInBrowser(m, {
    signal,
    ...(ev.onProgress ? { onProgress: ev.onProgress } : {}),
  });
  return loadWeights(vm, 0, vm.config.numLayers, signal);
}
