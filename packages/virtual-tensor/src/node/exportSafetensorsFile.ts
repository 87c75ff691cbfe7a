import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { byteLength, type DType } from '../dtype';
import { encodeSafetensorsHeader } from '../safetensors';
import type { VirtualModel } from '../VirtualModel';
import { ioError } from './ioError';

/**
 * Writes every tensor of a packed model to one safetensors file, tensor by
 * tensor (memory bounded by the model's budget), names sorted, the manifest's
 * `metadata` as `__metadata__`. Written to a temporary file, then renamed.
 */
export async function exportSafetensorsFile(model: VirtualModel, path: string): Promise<void> {
  const tensors = [...model.manifest.tensors].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const header = encodeSafetensorsHeader(
    tensors.map(
      (t) =>
        [
          t.name,
          { dtype: t.dtype as DType, shape: t.shape, byteLength: byteLength(t.dtype as DType, t.shape) },
        ] as const,
    ),
    model.manifest.metadata,
  );
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, 'w');
    await fh.write(header);
    for (const t of tensors) await fh.write((await model.tensor(t.name)).data);
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => {});
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw ioError(err, `Writing ${path}`);
  }
}
