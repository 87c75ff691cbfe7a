import type { FrameSocket } from '@ailo/protocol';

/** Role of the node under test: a coordinator we dial, or a worker that dials us. */
export type TargetRole = 'coordinator' | 'worker';

/** Reference next-token logits of a fixture model (`[sequence][position][vocab]`). */
export interface ReferenceLogits {
  sequences: number[][];
  logits: number[][][];
}

/** What every case gets: how to reach the target and how long to wait. */
export interface ConformanceContext {
  /** `ws://host:port` of the coordinator (role coordinator) */
  target: string;
  /** HTTP root of the target (`/health` lists model versions; model files live under `/models/`) */
  http?: string;
  /** opens a raw WebSocket (binary frames, `binaryType` set to `arraybuffer` by the caller) */
  dial(url: string): FrameSocket;
  /** waits for one worker to connect to us (role worker) */
  acceptWorker?(): Promise<FrameSocket>;
  /** reference logits by model family (`gpt2`, `qwen2`, …) for the stage suite */
  referenceLogits?: Readonly<Record<string, ReferenceLogits>>;
  /** deadline of one wait. ms */
  waitMs: number;
  /** the handshake deadline the target announces or is configured with. ms */
  handshakeDeadlineMs: number;
  /** HTTP client (default: global fetch) */
  fetch: typeof fetch;
}

/** One check of one spec clause. */
export interface ConformanceCase {
  /** stable id, e.g. `handshake.bad-signature` */
  id: string;
  /** the clause checked, e.g. `protocol.md §6.3` */
  clause: string;
  title: string;
  /** resolves on pass; throws `ConformanceError` `violation` (fail) or `not_exposed` (skip) */
  run(ctx: ConformanceContext): Promise<void>;
}

/** Outcome of one case. */
export interface CaseResult {
  id: string;
  clause: string;
  title: string;
  status: 'pass' | 'fail' | 'skip';
  /** why it failed or was skipped */
  message?: string;
  /** ms */
  ms: number;
}

/** A named group of cases. */
export interface ConformanceSuite {
  name: string;
  cases: ConformanceCase[];
}
