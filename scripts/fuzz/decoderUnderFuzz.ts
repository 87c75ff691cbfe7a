import type fc from 'fast-check';

/** What a fuzz suite needs to know about one decoder. */
export interface DecoderUnderFuzz<I> {
  /** Shown in failures and in the long-run summary, e.g. `protocol.decodeMessage`. */
  name: string;
  /** Generated inputs: structured values, mutated encodings, random bytes. */
  inputs: fc.Arbitrary<I>;
  /** Input size in bytes, for the allocation budget. */
  sizeOf: (input: I) => number;
  /** The decoder; returns a value or throws. */
  decode: (input: I) => unknown;
  /**
   * The error code when `error` is the package's typed error with a code documented for this
   * decoder; `undefined` for anything else (which fails the suite).
   */
  typedCode: (error: unknown) => string | undefined;
  /** Further checks on an accepted input (round trip, invariants); throw to fail. */
  onAccepted?: (value: unknown, input: I) => void;
  /** Further checks on a rejected input (e.g. a valid encoding must not be rejected); throw to fail. */
  onRejected?: (error: unknown, input: I) => void;
  /** Cases to generate; default `AILO_FUZZ_RUNS`. */
  runs?: number;
  /** Printable form of an input for failure messages; default hex for byte arrays. */
  show?: (input: I) => string;
}

/** The same, for a decoder that returns a promise (e.g. one that verifies a block against state). */
export interface AsyncDecoderUnderFuzz<I>
  extends Omit<DecoderUnderFuzz<I>, 'decode' | 'onAccepted' | 'onRejected'> {
  decode: (input: I) => Promise<unknown>;
  onAccepted?: (value: unknown, input: I) => void | Promise<void>;
  onRejected?: (error: unknown, input: I) => void | Promise<void>;
}

/** Figures of one decoder's run, as the long run prints them. */
export interface FuzzStats {
  decoder: string;
  seed: number;
  /** generated cases (fast-check runs, shrinking included) */
  cases: number;
  /** exhaustive truncations of seed encodings, run on top of `cases` */
  prefixCases: number;
  accepted: number;
  /** rejections by error code */
  codes: Record<string, number>;
  /** largest live-memory growth across one decode, bytes */
  maxGrowthBytes: number;
  /** input size of that case, bytes */
  maxGrowthInputBytes: number;
  /** largest memory retained after a full GC, above the start, bytes */
  maxRetainedBytes: number;
  /** slowest single decode, ms */
  maxCaseMs: number;
  seconds: number;
}
