import * as fsp from 'node:fs/promises';
import { SAFETENSORS_MAX_HEADER_BYTES, SAFETENSORS_PREFIX_BYTES } from '../constants';
import { VirtualTensorError } from '../errors';
import {
  parseSafetensorsHeaderJson,
  readSafetensorsHeaderLength,
  type SafetensorsHeader,
} from '../safetensors';
import { ioError } from './ioError';

/**
 * Reads and validates only the header of a safetensors file (the data are not
 * read). Offsets in the result are relative to `dataStart`.
 * @throws VirtualTensorError `SAFETENSORS_*`, `UNKNOWN_DTYPE`, `SHAPE_MISMATCH`, `IO_ERROR`
 */
export async function readSafetensorsFileHeader(
  path: string,
  opts: { maxHeaderBytes?: number; fs?: Pick<typeof fsp, 'open'> } = {},
): Promise<SafetensorsHeader & { fileBytes: number }> {
  const fs = opts.fs ?? fsp;
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fs.open(path, 'r');
    const { size } = await fh.stat();
    const prefix = new Uint8Array(Math.min(size, SAFETENSORS_PREFIX_BYTES));
    await readFully(fh, prefix, 0);
    const n = readSafetensorsHeaderLength(prefix, opts.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES);
    const dataStart = SAFETENSORS_PREFIX_BYTES + n;
    if (dataStart > size) {
      throw new VirtualTensorError('SAFETENSORS_TRUNCATED', 'safetensors header extends beyond the file.', {
        details: `${path}: header declares ${n} bytes but the file has ${size} bytes in total.`,
        meta: { headerBytes: n, fileBytes: size },
      });
    }
    const header = new Uint8Array(n);
    await readFully(fh, header, SAFETENSORS_PREFIX_BYTES);
    return { ...parseSafetensorsHeaderJson(header, size - dataStart), dataStart, fileBytes: size };
  } catch (err) {
    throw ioError(err, `Reading ${path}`);
  } finally {
    await fh?.close();
  }
}

/**
 * Fills `buf` from `fh` starting at file `position`.
 * @throws VirtualTensorError `SAFETENSORS_TRUNCATED` when the file ends first.
 */
export async function readFully(fh: fsp.FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) {
      throw new VirtualTensorError('SAFETENSORS_TRUNCATED', 'File ended before the expected bytes.', {
        meta: { position: position + done, missing: buf.length - done },
      });
    }
    done += bytesRead;
  }
}
