import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../constants';
import type { Manifest } from '../manifestSchema';
import { VirtualModel, type VirtualModelOptions } from '../VirtualModel';
import { parseManifest } from '../validateManifest';
import { FsStore } from './FsStore';
import { ioError } from './ioError';
import { nodeSha256Hex } from './nodeSha256';

/**
 * Reads and validates `<dir>/manifest.json`.
 * @throws VirtualTensorError `IO_ERROR`, `MANIFEST_INVALID`
 */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fsp.readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw ioError(err, `Reading ${join(dir, MANIFEST_FILE)}`);
  }
  return parseManifest(text);
}

/** Opens a packed model directory with an {@link FsStore} and `node:crypto` hashing. */
export async function openModelDir(dir: string, opts: VirtualModelOptions = {}): Promise<VirtualModel> {
  return VirtualModel.open(await readManifest(dir), new FsStore(dir), { hash: nodeSha256Hex, ...opts });
}
