import { CliError } from '../cliError';

/** Parses `--layers a:b` (layers [a, b)) or `auto` (undefined). */
export function parseLayers(s: string): { start: number; end: number } | undefined {
  if (s === 'auto') return undefined;
  const m = /^(\d+):(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) >= Number(m[2]))
    throw new CliError(`--layers expects a:b with a < b (layers [a, b)) or auto, got "${s}"`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** A commander parser for a non-negative integer option. */
export function parseIntOption(name: string, min = 0) {
  return (s: string): number => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < min)
      throw new CliError(`${name} expects an integer >= ${min}, got "${s}"`);
    return v;
  };
}
