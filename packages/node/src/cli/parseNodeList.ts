import { existsSync, readFileSync } from 'node:fs';
import type { PlanNode } from '@ailo/pipeline';
import { CliError } from '../cliError';

/** Byte multipliers of memory sizes: SI (GB = 10^9) and binary (GiB = 2^30). */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** Largest node list accepted (a guard against `1000000x1GB` typos). */
const MAX_NODES = 100_000;

/** Parses `4GB`, `1.5GiB`, `512MB`, `4000000000` → bytes. */
export function parseMemorySize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(s.trim());
  const unit = UNITS[(m?.[2] ?? '').toLowerCase()];
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new CliError(`"${s}" is not a memory size: use e.g. 4GB (10^9 bytes), 4GiB (2^30) or 512MB`);
  }
  return bytes;
}

function fromJson(path: string): PlanNode[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`--nodes ${path}: not a readable JSON file (${(err as Error).message})`);
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new CliError(
      `--nodes ${path}: expected a non-empty JSON array of {id, memoryBytes, relativeSpeed}`,
    );
  }
  const seen = new Set<string>();
  return raw.map((n: unknown, i) => {
    const o = (n ?? {}) as Record<string, unknown>;
    const id = o['id'];
    const mem = o['memoryBytes'];
    const speed = o['relativeSpeed'] ?? 1;
    if (typeof id !== 'string' || id.length === 0 || seen.has(id)) {
      throw new CliError(`--nodes ${path}: entry ${i} needs a unique non-empty string "id"`);
    }
    seen.add(id);
    if (typeof mem !== 'number' || !Number.isFinite(mem) || mem <= 0) {
      throw new CliError(`--nodes ${path}: entry ${i} (${id}) needs "memoryBytes" > 0 (bytes)`);
    }
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
      throw new CliError(
        `--nodes ${path}: entry ${i} (${id}) needs "relativeSpeed" > 0 (1 = reference node)`,
      );
    }
    return { id, memoryBytes: mem, relativeSpeed: speed };
  });
}

/**
 * Parses `--nodes`: a list of `[count x]size[@speed]` groups separated by
 * commas (`120x4GB`, `4x8GB,2x16GB@2`), or the path of a JSON file holding
 * `[{id, memoryBytes, relativeSpeed}]`. Generated ids are `node-0`, `node-1`, …
 * @throws CliError on malformed input
 */
export function parseNodeList(spec: string): PlanNode[] {
  const s = spec.trim();
  if (s.endsWith('.json') || (existsSync(s) && !/^\d/.test(s))) return fromJson(s);
  const nodes: PlanNode[] = [];
  for (const group of s.split(',')) {
    const m = /^(?:(\d+)\s*x\s*)?([^@]+?)(?:@(\d+(?:\.\d+)?))?$/i.exec(group.trim());
    if (!m) throw new CliError(`--nodes: "${group}" is not [count x]size[@speed], e.g. 120x4GB or 2x16GB@2`);
    const count = m[1] === undefined ? 1 : Number(m[1]);
    const memoryBytes = parseMemorySize(m[2]!);
    const relativeSpeed = m[3] === undefined ? 1 : Number(m[3]);
    if (count < 1 || nodes.length + count > MAX_NODES) {
      throw new CliError(`--nodes: node counts must be 1 … ${MAX_NODES} in all, got "${group}"`);
    }
    if (!(relativeSpeed > 0)) throw new CliError(`--nodes: speed must be > 0 in "${group}"`);
    for (let i = 0; i < count; i++) nodes.push({ id: `node-${nodes.length}`, memoryBytes, relativeSpeed });
  }
  return nodes;
}
