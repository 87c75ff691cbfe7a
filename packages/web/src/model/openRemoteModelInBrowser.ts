import { spanWeights } from '@ailo/node/worker';
import { type ChunkProgress, HttpStore, parseManifest, sha256Hex, VirtualModel } from '@ailo/virtual-tensor';
import { CHUNK_DB_NAME } from '../constants';
import { WebUiError } from '../errors';
import { FallbackChunkStore } from '../storage/FallbackChunkStore';

/** A model version published by a coordinator (as in `node.assign` and `round.model`). */
export interface RemoteModelRef {
  model: string;
  /** manifest sha256, hex */
  version: string;
  manifestUrl: string;
}

/** Options of {@link openRemoteModelInBrowser}. */
export interface BrowserModelOptions {
  /** bytes received for a chunk being downloaded */
  onProgress?(p: ChunkProgress): void;
  /** IndexedDB could not be used: chunks are kept in memory for this visit */
  onCacheFallback?(reason: 'quota' | 'unavailable', error: unknown): void;
  /** chunk requests go through this (tests count them) */
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** An opened model and where its chunks are cached. */
export interface OpenedModel {
  vm: VirtualModel;
  cache: FallbackChunkStore;
}

/**
 * The browser counterpart of `openRemoteModel` (`@ailo/node`): fetches the
 * manifest (its sha256 must be `version`), and opens a VirtualModel whose
 * chunks come from IndexedDB when cached there, else from the coordinator
 * (verified by sha256 before use; a corrupt cached chunk is dropped and
 * fetched again) and are then cached. One IndexedDB database per model version.
 * @throws WebUiError `coordinator_unreachable` (no manifest), `bad_response` (another version).
 */
export async function openRemoteModelInBrowser(
  ref: RemoteModelRef,
  opts: BrowserModelOptions = {},
): Promise<OpenedModel> {
  const base = new URL('.', ref.manifestUrl);
  // chunks are kept in IndexedDB: keeping them in the HTTP cache too would store them twice
  const fetchOpt = { fetch: opts.fetch ?? noStoreFetch };
  let text: string | undefined;
  try {
    text = await new HttpStore({ baseUrl: base, ...fetchOpt }).getText(
      'manifest.json',
      opts.signal ? { signal: opts.signal } : {},
    );
  } catch (cause) {
    throw new WebUiError('coordinator_unreachable', `Cannot fetch ${ref.manifestUrl}`, { cause });
  }
  if (text === undefined)
    throw new WebUiError('coordinator_unreachable', `No manifest at ${ref.manifestUrl}`);
  const digest = await sha256Hex(new TextEncoder().encode(text));
  if (digest !== ref.version) {
    throw new WebUiError(
      'bad_response',
      `Manifest of ${ref.model} is not version ${ref.version.slice(0, 12)}…`,
      {
        details: `got sha256 ${digest}`,
      },
    );
  }
  const cache = await new FallbackChunkStore(
    `${CHUNK_DB_NAME}-${ref.model}-${ref.version.slice(0, 16)}`,
    opts.onCacheFallback,
  ).open();
  const store = new HttpStore({
    baseUrl: base,
    cache,
    ...fetchOpt,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  return { vm: VirtualModel.open(parseManifest(text), store), cache };
}

const noStoreFetch: typeof fetch = (input, init) => fetch(input, { ...init, cache: 'no-store' });

/** Loads layers [start, end) (plus embeddings/head at the ends) as float32 weights. */
export const loadWeights = spanWeights;
