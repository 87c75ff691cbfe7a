import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DecoderUnderFuzz, FuzzStats } from './decoderUnderFuzz';
import { FUZZ_PATH, FUZZ_PRINT, FUZZ_REPORT_DIR, FUZZ_SEED } from './fuzzSettings';
import { collectGarbage, liveBytes } from './heapProbe';

/**
 * Allocation budget of one decode: {@link ALLOCATION_FLOOR} plus {@link ALLOCATION_FACTOR} bytes per
 * input byte. Generous for honest decoders (views, one copy, f16 → f32 widening, JSON objects),
 * and still a failure for a 1 KB input that allocates 100 MB.
 */
export const ALLOCATION_FLOOR = 16 * 1024 * 1024; // bytes
export const ALLOCATION_FACTOR = 64; // bytes per input byte

/** Memory still live after a full GC, above the start of the suite, that counts as a leak. */
export const RETAINED_LIMIT = 64 * 1024 * 1024; // bytes

/** One decode slower than this counts as a hang (super-linear work on a small input). */
export const MAX_CASE_MS = 2_000;

/** Full-GC checkpoints per decoder (retained memory is sampled at each). */
const CHECKPOINTS = 4;

function hexOf(bytes: Uint8Array, max = 2048): string {
  const shown = Buffer.from(bytes.subarray(0, max)).toString('hex');
  return bytes.length > max ? `${shown}… (${bytes.length} bytes)` : shown;
}

function defaultShow(input: unknown): string {
  if (input instanceof Uint8Array) return `hex ${hexOf(input)}`;
  if (typeof input === 'string')
    return JSON.stringify(input.length > 2048 ? `${input.slice(0, 2048)}…` : input);
  if (typeof input === 'object' && input !== null && 'bytes' in input && input.bytes instanceof Uint8Array) {
    return `hex ${hexOf(input.bytes)}`;
  }
  return String(input);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? '' : ` [${String(code)}]`}: ${error.message.split('\n')[0]}`;
  }
  return `non-Error thrown: ${String(error)}`;
}

/** Per-case bookkeeping shared by the sync and async runners. */
export class CaseLedger<I> {
  readonly stats: FuzzStats;
  private readonly started = performance.now();
  private baseline = 0;
  private seen = 0;
  private readonly every: number;
  private readonly caseFile: string | undefined;

  constructor(
    private readonly d: Pick<DecoderUnderFuzz<I>, 'name' | 'sizeOf' | 'typedCode' | 'show'>,
    runs: number,
  ) {
    this.stats = {
      decoder: d.name,
      seed: FUZZ_SEED,
      cases: 0,
      prefixCases: 0,
      accepted: 0,
      codes: {},
      maxGrowthBytes: 0,
      maxGrowthInputBytes: 0,
      maxRetainedBytes: 0,
      maxCaseMs: 0,
      seconds: 0,
    };
    this.every = Math.max(1, Math.ceil(runs / CHECKPOINTS));
    if (FUZZ_REPORT_DIR !== undefined) {
      mkdirSync(FUZZ_REPORT_DIR, { recursive: true });
      this.caseFile = join(FUZZ_REPORT_DIR, `${d.name}.case`);
    }
    collectGarbage();
    this.baseline = liveBytes();
  }

  show(input: I): string {
    return (this.d.show ?? defaultShow)(input);
  }

  /**
   * Called before each generated case: in long runs, records its index (= fast-check path) so a
   * case that kills the process can be replayed; with `AILO_FUZZ_PRINT=1`, prints the input.
   */
  begin(input: I): void {
    const index = this.stats.cases++;
    if (this.caseFile !== undefined) writeFileSync(this.caseFile, String(index));
    if (FUZZ_PRINT) process.stderr.write(`${this.d.name} case ${FUZZ_PATH ?? index}: ${this.show(input)}\n`);
  }

  /**
   * Checks the outcome of one case; throws (failing the property) when a rule is broken. Every
   * `runs / CHECKPOINTS` generated cases (not truncations) run a full-GC checkpoint.
   */
  settle(
    input: I,
    ms: number,
    growth: number,
    outcome: { ok: true } | { ok: false; error: unknown },
    generated: boolean,
  ): void {
    const s = this.stats;
    const size = this.d.sizeOf(input);
    if (growth > s.maxGrowthBytes) {
      s.maxGrowthBytes = growth;
      s.maxGrowthInputBytes = size;
    }
    s.maxCaseMs = Math.max(s.maxCaseMs, ms);
    if (!outcome.ok) {
      const code = this.d.typedCode(outcome.error);
      if (code === undefined) {
        throw new Error(
          `${this.d.name} threw an untyped or undocumented error: ${describeError(outcome.error)}\ninput: ${this.show(input)}`,
          { cause: outcome.error },
        );
      }
      s.codes[code] = (s.codes[code] ?? 0) + 1;
    } else s.accepted++;
    const budget = ALLOCATION_FLOOR + ALLOCATION_FACTOR * size;
    if (growth > budget) {
      throw new Error(
        `${this.d.name} grew live memory by ${growth} bytes on a ${size}-byte input (budget ${budget})\ninput: ${this.show(input)}`,
      );
    }
    if (ms > MAX_CASE_MS) {
      throw new Error(
        `${this.d.name} took ${ms.toFixed(0)} ms on a ${size}-byte input\ninput: ${this.show(input)}`,
      );
    }
    if (generated && ++this.seen % this.every === 0) this.checkpoint();
  }

  /** Full GC, then checks what is still live against the start. */
  checkpoint(): void {
    collectGarbage();
    const retained = liveBytes() - this.baseline;
    this.stats.maxRetainedBytes = Math.max(this.stats.maxRetainedBytes, retained);
    if (retained > RETAINED_LIMIT) {
      throw new Error(`${this.d.name} retains ${retained} bytes after a full GC (limit ${RETAINED_LIMIT})`);
    }
  }

  /** Final checkpoint; writes the figures (also after a failure, marked as such). */
  finish(failed: boolean): FuzzStats {
    this.stats.seconds = (performance.now() - this.started) / 1000;
    let leak: unknown;
    try {
      this.checkpoint();
    } catch (e) {
      leak = e;
    }
    if (FUZZ_REPORT_DIR !== undefined) {
      mkdirSync(FUZZ_REPORT_DIR, { recursive: true });
      const line = { ...this.stats, failed: failed || leak !== undefined };
      appendFileSync(join(FUZZ_REPORT_DIR, 'results.jsonl'), `${JSON.stringify(line)}\n`);
    }
    if (leak !== undefined && !failed) throw leak;
    return this.stats;
  }
}
