import fc from 'fast-check';
import { CaseLedger } from './caseLedger';
import type { AsyncDecoderUnderFuzz, DecoderUnderFuzz, FuzzStats } from './decoderUnderFuzz';
import { FUZZ_PATH, FUZZ_RUNS, FUZZ_SEED } from './fuzzSettings';
import { liveBytes } from './heapProbe';

export type { AsyncDecoderUnderFuzz, DecoderUnderFuzz, FuzzStats } from './decoderUnderFuzz';

/** fast-check options of every suite: seeded, and replaying one case when `AILO_FUZZ_PATH` is set. */
export function assertOptions(runs: number): fc.Parameters<unknown> {
  return {
    numRuns: runs,
    seed: FUZZ_SEED,
    includeErrorInReport: true,
    ...(FUZZ_PATH === undefined ? {} : { path: FUZZ_PATH }),
  };
}

function runOne<I>(d: DecoderUnderFuzz<I>, ledger: CaseLedger<I>, input: I, generated: boolean): void {
  let value: unknown;
  let error: unknown;
  let failed = false;
  const before = liveBytes();
  const t0 = performance.now();
  try {
    value = d.decode(input);
  } catch (e) {
    failed = true;
    error = e;
  }
  const ms = performance.now() - t0;
  const growth = liveBytes() - before;
  ledger.settle(input, ms, growth, failed ? { ok: false, error } : { ok: true }, generated);
  if (failed) d.onRejected?.(error, input);
  else d.onAccepted?.(value, input);
}

async function runOneAsync<I>(
  d: AsyncDecoderUnderFuzz<I>,
  ledger: CaseLedger<I>,
  input: I,
  generated: boolean,
): Promise<void> {
  let value: unknown;
  let error: unknown;
  let failed = false;
  const before = liveBytes();
  const t0 = performance.now();
  try {
    value = await d.decode(input);
  } catch (e) {
    failed = true;
    error = e;
  }
  const ms = performance.now() - t0;
  const growth = liveBytes() - before;
  ledger.settle(input, ms, growth, failed ? { ok: false, error } : { ok: true }, generated);
  if (failed) await d.onRejected?.(error, input);
  else await d.onAccepted?.(value, input);
}

/**
 * Feeds `d.runs` generated inputs to a decoder, then each of `truncations` (seed encodings cut at
 * every length, counted apart). Fails on an untyped error, an allocation over budget, a slow
 * case, memory retained after GC, or a failed `onAccepted`/`onRejected` check.
 */
export function fuzzDecoder<I>(d: DecoderUnderFuzz<I>, truncations: Iterable<NoInfer<I>> = []): FuzzStats {
  const runs = d.runs ?? FUZZ_RUNS;
  const ledger = new CaseLedger(d, runs);
  try {
    fc.assert(
      fc.property(d.inputs, (input) => {
        ledger.begin(input);
        runOne(d, ledger, input, true);
      }),
      assertOptions(runs),
    );
    for (const input of truncations) {
      ledger.stats.prefixCases++;
      runOne(d, ledger, input, false);
    }
  } catch (failure) {
    ledger.finish(true);
    throw failure;
  }
  return ledger.finish(false);
}

/** {@link fuzzDecoder} for a decoder that returns a promise. */
export async function fuzzDecoderAsync<I>(
  d: AsyncDecoderUnderFuzz<I>,
  truncations: Iterable<NoInfer<I>> = [],
): Promise<FuzzStats> {
  const runs = d.runs ?? FUZZ_RUNS;
  const ledger = new CaseLedger(d, runs);
  try {
    await fc.assert(
      fc.asyncProperty(d.inputs, async (input) => {
        ledger.begin(input);
        await runOneAsync(d, ledger, input, true);
      }),
      assertOptions(runs),
    );
    for (const input of truncations) {
      ledger.stats.prefixCases++;
      await runOneAsync(d, ledger, input, false);
    }
  } catch (failure) {
    ledger.finish(true);
    throw failure;
  }
  return ledger.finish(false);
}
