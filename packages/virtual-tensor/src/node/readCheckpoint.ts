import * as fsp from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DType } from '../dtype';
import { VirtualTensorError } from '../errors';
import { ioError } from './ioError';
import { readSafetensorsFileHeader } from './readSafetensorsFile';

/** A tensor of a checkpoint on disk. */
export interface CheckpointTensor {
  name: string;
  dtype: DType;
  shape: number[];
  /** path of the safetensors file holding it */
  file: string;
  /** absolute byte offset of its data in `file` */
  position: number;
  /** bytes */
  length: number;
}

/** A Hugging Face checkpoint found on disk: tensors (headers only), config.json and metadata. */
export interface Checkpoint {
  /** safetensors files read */
  files: string[];
  tensors: CheckpointTensor[];
  /** parsed `config.json` next to the weights, when present */
  hfConfig: Record<string, unknown> | undefined;
  /** merged `__metadata__` of the files */
  metadata: Record<string, string>;
}

const INDEX_FILE = 'model.safetensors.index.json';
const SHARD_NAME_RE = /^[A-Za-z0-9._-]+\.safetensors$/;

type ReadFs = Pick<typeof fsp, 'open' | 'readFile' | 'stat' | 'readdir'>;

function invalidInput(msg: string, details?: string): VirtualTensorError {
  return new VirtualTensorError('PACK_INPUT_INVALID', msg, details ? { details } : {});
}

async function readJson(fs: ReadFs, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw ioError(err, `Reading ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new VirtualTensorError('PACK_INPUT_INVALID', `${basename(path)} is not valid JSON.`, { cause });
  }
}

async function exists(fs: ReadFs, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Locates a checkpoint: a directory (with `model.safetensors.index.json`,
 * `model.safetensors`, or exactly one `*.safetensors`), a `.safetensors` file,
 * or an `*.index.json` shard index. A `config.json` beside the weights is read
 * when present. Only headers are read.
 * @throws VirtualTensorError `PACK_INPUT_INVALID`, `SAFETENSORS_*`, `IO_ERROR`
 */
export async function readCheckpoint(input: string, opts: { fs?: ReadFs } = {}): Promise<Checkpoint> {
  const fs = opts.fs ?? fsp;
  let st: Awaited<ReturnType<typeof fsp.stat>>;
  try {
    st = await fs.stat(input);
  } catch (err) {
    throw ioError(err, `Reading ${input}`);
  }
  let dir: string;
  let files: string[];
  let weightMap: Record<string, string> | undefined;
  if (st.isDirectory()) {
    dir = input;
    if (await exists(fs, join(dir, INDEX_FILE))) {
      ({ files, weightMap } = await readIndex(fs, join(dir, INDEX_FILE)));
    } else if (await exists(fs, join(dir, 'model.safetensors'))) {
      files = [join(dir, 'model.safetensors')];
    } else {
      const all = (await fs.readdir(dir)).filter((n) => n.endsWith('.safetensors')).sort();
      if (all.length !== 1) {
        throw invalidInput(
          `${dir} holds ${all.length} .safetensors files and no ${INDEX_FILE}.`,
          'Point at one file or add the shard index.',
        );
      }
      files = [join(dir, all[0]!)];
    }
  } else if (input.endsWith('.index.json')) {
    dir = dirname(input);
    ({ files, weightMap } = await readIndex(fs, input));
  } else if (input.endsWith('.safetensors')) {
    dir = dirname(input);
    files = [input];
  } else {
    throw invalidInput(`${input} is not a directory, .safetensors file or shard index.`);
  }

  const tensors: CheckpointTensor[] = [];
  const seen = new Map<string, string>();
  const metadata: Record<string, string> = {};
  for (const file of files) {
    const h = await readSafetensorsFileHeader(file, { fs });
    Object.assign(metadata, h.metadata);
    for (const [name, t] of h.tensors) {
      const other = seen.get(name);
      if (other)
        throw invalidInput(`Tensor "${name}" appears in both ${basename(other)} and ${basename(file)}.`);
      seen.set(name, file);
      tensors.push({
        name,
        dtype: t.dtype,
        shape: t.shape,
        file,
        position: h.dataStart + t.begin,
        length: t.end - t.begin,
      });
    }
  }
  if (weightMap) {
    for (const [name, file] of Object.entries(weightMap)) {
      if (seen.get(name) !== join(dir, file)) {
        throw invalidInput(`The shard index maps "${name}" to ${file}, which does not hold it.`);
      }
    }
  }
  const configPath = join(dir, 'config.json');
  const hfConfig = (await exists(fs, configPath)) ? await readJson(fs, configPath) : undefined;
  if (
    hfConfig !== undefined &&
    (typeof hfConfig !== 'object' || hfConfig === null || Array.isArray(hfConfig))
  ) {
    throw invalidInput(`${configPath} is not a JSON object.`);
  }
  return { files, tensors, hfConfig: hfConfig as Record<string, unknown> | undefined, metadata };
}

async function readIndex(
  fs: ReadFs,
  path: string,
): Promise<{ files: string[]; weightMap: Record<string, string> }> {
  const idx = await readJson(fs, path);
  const wm = (idx as { weight_map?: unknown } | null)?.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) {
    throw invalidInput(`${basename(path)} has no "weight_map" object.`);
  }
  const shards = new Set<string>();
  for (const [name, file] of Object.entries(wm)) {
    if (typeof file !== 'string' || !SHARD_NAME_RE.test(file)) {
      throw invalidInput(
        `${basename(path)} maps "${name}" to an invalid shard name ${JSON.stringify(file)}.`,
      );
    }
    shards.add(file);
  }
  if (shards.size === 0) throw invalidInput(`${basename(path)} lists no shards.`);
  const dir = dirname(path);
  return { files: [...shards].sort().map((f) => join(dir, f)), weightMap: wm as Record<string, string> };
}
