import { MANIFEST_FILE } from './constants';
import { VirtualTensorError } from './errors';
import type { Manifest } from './manifestSchema';
import { HttpStore, type HttpStoreOptions } from './stores/HttpStore';
import { parseManifest } from './validateManifest';

/**
 * Downloads and validates `manifest.json` from a packed model URL (with the
 * HTTP store's retries; never cached).
 * @throws VirtualTensorError `HTTP_ERROR`, `CHUNK_NOT_FOUND` (404), `MANIFEST_INVALID`
 */
export async function fetchManifest(
  baseUrl: string | URL,
  opts: Omit<HttpStoreOptions, 'baseUrl' | 'cache'> & { signal?: AbortSignal } = {},
): Promise<Manifest> {
  const { signal, ...storeOpts } = opts;
  const store = new HttpStore({ ...storeOpts, baseUrl });
  const text = await store.getText(MANIFEST_FILE, signal ? { signal } : {});
  if (text === undefined) {
    throw new VirtualTensorError(
      'CHUNK_NOT_FOUND',
      `No ${MANIFEST_FILE} at ${store.url(MANIFEST_FILE).href}.`,
    );
  }
  return parseManifest(text);
}
