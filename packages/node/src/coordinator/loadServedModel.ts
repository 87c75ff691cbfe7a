import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadTokenizer } from '@ailo/pipeline/node';
import { type Manifest, parseManifest } from '@ailo/virtual-tensor';
import { FsStore, packModel } from '@ailo/virtual-tensor/node';
import { NodeError } from '../errors';
import type { ServedModel } from './ServedModel';

const MANIFEST = 'manifest.json';

/** sha256 of bytes, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A model id from a directory name: letters, digits, `.`, `_`, `-`. */
export function modelIdOf(dir: string): string {
  const id = basename(resolve(dir)).replace(/[^A-Za-z0-9._-]/g, '-');
  return id || 'model';
}

/** Opens an already packed directory (`manifest.json` + chunk files). */
export function openPackedDir(dir: string, id: string, tokenizerDir = dir): ServedModel {
  const manifestBytes = new Uint8Array(readFileSync(join(dir, MANIFEST)));
  let manifest: Manifest;
  try {
    manifest = parseManifest(new TextDecoder().decode(manifestBytes));
  } catch (cause) {
    throw new NodeError('bad_model', `${join(dir, MANIFEST)} is not a valid manifest`, {
      cause,
      details: (cause as Error).message,
    });
  }
  const config = manifest.model as ServedModel['config'];
  return {
    id,
    version: sha256Hex(manifestBytes),
    manifest,
    manifestBytes,
    config,
    store: new FsStore(dir),
    tokenizer: loadTokenizer(tokenizerDir, config),
    createdAt: Math.floor(statSync(join(dir, MANIFEST)).mtimeMs / 1000),
  };
}

/** Size and mtime of the files a pack was made from: a changed source is packed again. */
function fingerprint(dir: string): string {
  const files = ['config.json', 'model.safetensors', 'model.safetensors.index.json'].filter((f) =>
    existsSync(join(dir, f)),
  );
  return JSON.stringify(files.map((f) => [f, statSync(join(dir, f)).size, statSync(join(dir, f)).mtimeMs]));
}

/**
 * Makes a model directory servable: a packed directory is served as is; an
 * HF directory (`config.json` + safetensors) is packed once into
 * `<dataDir>/models/<id>/packed` (packed again when the source changes).
 * @throws NodeError `bad_model` when the directory is neither.
 */
export async function loadServedModel(
  dir: string,
  dataDir: string,
  id = modelIdOf(dir),
): Promise<ServedModel> {
  if (!existsSync(dir)) throw new NodeError('bad_model', `Model directory ${dir} does not exist`);
  if (existsSync(join(dir, MANIFEST))) return openPackedDir(dir, id);
  if (!existsSync(join(dir, 'config.json'))) {
    throw new NodeError(
      'bad_model',
      `${dir} holds neither manifest.json (a packed model) nor config.json (an HF model)`,
    );
  }
  const out = join(dataDir, 'models', id, 'packed');
  const stamp = join(dataDir, 'models', id, 'source.json');
  const fp = JSON.stringify({ dir: resolve(dir), files: fingerprint(dir) });
  const fresh = existsSync(join(out, MANIFEST)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fp;
  if (!fresh) {
    try {
      await packModel({ input: dir, out });
    } catch (cause) {
      const e = cause as { shortMessage?: string; message?: string };
      throw new NodeError('bad_model', `Cannot pack ${dir}: ${e.shortMessage ?? e.message}`, { cause });
    }
    writeFileSync(stamp, fp);
  }
  return openPackedDir(out, id, dir);
}
