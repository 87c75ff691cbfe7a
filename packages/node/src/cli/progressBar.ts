/** Formats a byte count for people: `3.20 GB`, `96.0 MB`, `12.3 kB`, `512 B` (SI units). */
export function fmtBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** A one-line progress bar. */
export interface ProgressBar {
  /** redraws with `bytes` of `total` done and a trailing label (at most every 100 ms) */
  update(bytes: number, total: number, label?: string): void;
  /** ends the line */
  done(): void;
}

/**
 * A progress bar on stderr: `[####.....]  42% 1.20 GB / 2.85 GB  label`.
 * Drawn only when stderr is a terminal (and `enabled`), so logs and pipes
 * stay clean.
 */
export function progressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = enabled && stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(bytes, total, label = '') {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && bytes < total) return;
      last = now;
      drawn = true;
      const width = 30;
      const frac = total > 0 ? Math.min(1, bytes / total) : 1;
      const full = Math.round(frac * width);
      stream.write(
        `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
          `${fmtBytes(bytes)} / ${fmtBytes(total)}  ${label}\x1b[K`,
      );
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
