import * as fsp from 'node:fs/promises';
import { PACK_LOCK_SUFFIX } from '../constants';
import { VirtualTensorError } from '../errors';
import { ioError } from './ioError';

/** A held pack lock. */
export interface PackLock {
  path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes the exclusive lock `<out>.ailo-pack.lock` (created with O_EXCL beside
 * the output directory). A lock left by a process that no longer runs is
 * taken over.
 * @throws VirtualTensorError `PACK_LOCKED` while another pack holds it, `IO_ERROR`
 */
export async function acquirePackLock(
  out: string,
  fs: Pick<typeof fsp, 'open' | 'readFile' | 'rm'> = fsp,
): Promise<PackLock> {
  const path = `${out}${PACK_LOCK_SUFFIX}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(path, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await fs.rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw ioError(err, `Creating lock ${path}`);
      const pid = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
      if (attempt === 0 && Number.isSafeInteger(pid) && pid > 0 && !alive(pid)) {
        await fs.rm(path, { force: true });
        continue;
      }
      throw new VirtualTensorError('PACK_LOCKED', `Another pack is writing ${out}.`, {
        details: `Lock file ${path} is held${Number.isSafeInteger(pid) ? ` by process ${pid}` : ''}.`,
        meta: { lock: path, pid },
      });
    }
  }
  throw new VirtualTensorError('PACK_LOCKED', `Another pack is writing ${out}.`, { meta: { lock: path } });
}
