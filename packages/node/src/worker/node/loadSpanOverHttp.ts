import { createHash } from 'node:crypto';
import type { ModelConfig, Weight } from '@ailo/pipeline';
import { HttpStore, parseManifest, VirtualModel } from '@ailo/virtual-tensor';
import { FsStore, nodeSha256Hex } from '@ailo/virtual-tensor/node';
import { NodeError } from '../../errors';
import { spanWeights } from '../core/spanWeights';
import type { SpanLoader } from '../core/WorkerCore';

/** Options of {@link httpSpanLoader} and {@link loadModelOverHttp}. */
export interface HttpLoaderOptions {
  /** keep fetched chunks here (a directory per model version), so a restart loads from disk */
  cacheDir?: string;
  fetch?: typeof fetch;
}

/**
 * Opens a model version published by a coordinator: fetches `manifest.json`
 * (its sha256 must be `version`) and returns a VirtualModel that fetches
 * chunks beside it, each verified against the manifest before use.
 * @throws NodeError `bad_model` when the manifest is missing or is another version.
 */
export async function openRemoteModel(
  a: { model: string; version: string; manifestUrl: string },
  opts: HttpLoaderOptions,
  signal?: AbortSignal,
): Promise<VirtualModel> {
  const base = new URL('.', a.manifestUrl);
  const fetchOpt = opts.fetch ? { fetch: opts.fetch } : {};
  const http = new HttpStore({ baseUrl: base, ...fetchOpt });
  const text = await http.getText('manifest.json', signal ? { signal } : {});
  if (text === undefined) throw new NodeError('bad_model', `No manifest at ${a.manifestUrl}`);
  const digest = createHash('sha256').update(text).digest('hex');
  if (digest !== a.version) {
    throw new NodeError(
      'bad_model',
      `Manifest sha256 ${digest.slice(0, 16)}… is not the assigned version ${a.version.slice(0, 16)}…`,
    );
  }
  const cache = opts.cacheDir ? new FsStore(`${opts.cacheDir}/${a.model}/${a.version}`) : undefined;
  const store = cache ? new HttpStore({ baseUrl: base, cache, ...fetchOpt }) : http;
  return VirtualModel.open(parseManifest(text), store, { hash: nodeSha256Hex });
}

/** Loads an assigned span over HTTP: only the chunks the span needs. */
export function httpSpanLoader(opts: HttpLoaderOptions = {}): SpanLoader {
  return async (a, signal) => spanWeights(await openRemoteModel(a, opts, signal), a.start, a.end, signal);
}

/** Loads every weight of a model version over HTTP (trainers need the whole model). */
export async function loadModelOverHttp(
  a: { model: string; version: string; manifestUrl: string },
  opts: HttpLoaderOptions = {},
  signal?: AbortSignal,
): Promise<{ config: ModelConfig; weights: Map<string, Weight> }> {
  const vm = await openRemoteModel(a, opts, signal);
  return spanWeights(vm, 0, vm.config.numLayers, signal);
}
