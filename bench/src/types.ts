/** One measured figure; every figure is compared with a peer measured in the same run. */
export interface Figure {
  /** e.g. "tensor frame encode+decode (49 KB)" */
  name: string;
  /** unit of each sample, e.g. "GB/s", "ms", "tok/s" */
  unit: string;
  higherIsBetter: boolean;
  /** one value per repetition */
  samples: number[];
  /** the peer measured in the same run, or why it was skipped */
  peer?: { name: string; samples: number[] } | { skipped: string };
  /** e.g. ">= 0.5x peer" */
  goal?: string;
  /** ratio to peer that meets the goal (ours/peer, in the direction of "better") */
  goalRatio?: number;
}

export interface BenchContext {
  /** one short iteration each, for CI */
  smoke: boolean;
  log: (line: string) => void;
}

/** A benchmark file in bench/src/benches/<name>.ts default-exports one of these. */
export interface BenchModule {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}
