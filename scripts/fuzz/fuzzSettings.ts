/**
 * Size and seed of the decoder fuzz suites (`packages/* /test/fuzz.test.ts`), read from the
 * environment so CI and the long run (`node scripts/fuzz.mjs`) run the same code.
 *
 * - `AILO_FUZZ_RUNS`: generated cases per decoder (default {@link DEFAULT_FUZZ_RUNS}, the CI size).
 * - `AILO_FUZZ_SEED`: fast-check seed (default {@link DEFAULT_FUZZ_SEED}, so CI is reproducible).
 * - `AILO_FUZZ_REPORT`: a directory; when set, each decoder appends its figures to
 *   `results.jsonl` there (the long run prints them) and keeps the index of the case it is
 *   running in `<decoder>.case`, so a crash or hang can be replayed.
 * - `AILO_FUZZ_PATH`: replay one case (fast-check path, e.g. `4711`) of the given seed;
 *   with `AILO_FUZZ_PRINT=1` each input is printed to stderr before it is decoded.
 */

/** Cases per decoder in CI. The four suites together stay well under 30 s on 2 cores. */
export const DEFAULT_FUZZ_RUNS = 600;

/** Fixed default seed: a CI failure reproduces locally with the same command. */
export const DEFAULT_FUZZ_SEED = 0x5eed;

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/** Generated cases per decoder. */
export const FUZZ_RUNS = positiveInt(process.env.AILO_FUZZ_RUNS, DEFAULT_FUZZ_RUNS, 'AILO_FUZZ_RUNS');

/** fast-check seed of every suite (a 32-bit integer). */
export const FUZZ_SEED = positiveInt(process.env.AILO_FUZZ_SEED, DEFAULT_FUZZ_SEED, 'AILO_FUZZ_SEED') | 0;

/** Where figures go, if anywhere. */
export const FUZZ_REPORT_DIR: string | undefined = process.env.AILO_FUZZ_REPORT || undefined;

/**
 * Cases for a decoder that costs `weight` times a plain decode (e.g. one that verifies Ed25519
 * signatures): in CI-sized runs a `1 / weight` share (at least 50), in long runs (10 000 cases
 * and more) the full count.
 */
export function runsFor(weight = 1): number {
  if (FUZZ_RUNS >= 10_000) return FUZZ_RUNS;
  return Math.max(50, Math.round(FUZZ_RUNS / weight));
}

/** fast-check path of a single case to replay, if any. */
export const FUZZ_PATH: string | undefined = process.env.AILO_FUZZ_PATH || undefined;

/** Print every input before decoding it (for replaying a case that crashes the process). */
export const FUZZ_PRINT = process.env.AILO_FUZZ_PRINT === '1';
