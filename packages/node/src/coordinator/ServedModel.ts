import type { ModelConfig, TextTokenizer } from '@ailo/pipeline';
import type { ChunkStore, Manifest } from '@ailo/virtual-tensor';

/** One version of a model the coordinator serves: a packed manifest, its chunk store and the tokenizer clients use. */
export interface ServedModel {
  /** the name clients use (`/v1/models`, `model` field) */
  id: string;
  /** sha256 (hex) of `manifestBytes`: a new global model is a new version */
  version: string;
  manifest: Manifest;
  /** the exact bytes served as `manifest.json` */
  manifestBytes: Uint8Array;
  config: ModelConfig;
  /** chunk files by file name */
  store: ChunkStore;
  tokenizer: TextTokenizer | undefined;
  /** unix seconds */
  createdAt: number;
}

/** URL path (below the HTTP root) of a model version's packed directory, ending in `/`. */
export function modelPath(id: string, version: string): string {
  return `/models/${encodeURIComponent(id)}/${version}/`;
}
