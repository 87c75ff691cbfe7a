import type { Backend, HostTensor } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { WeightMap } from '../families/weights';
import { Stage, type StageOptions } from './stage';

/** Something that maps new token ids of a session to next-token logits: a local chain or a remote pipeline. */
export interface LogitsSource {
  readonly config: ModelConfig;
  /**
   * Feeds `ids` [batch][seq] (with an optional 0/1 padding mask of the same
   * shape) after `pastLength` cached tokens; returns logits [batch, seq, vocab],
   * or with `lastOnly` those of the last position, [batch, 1, vocab] (a source
   * may ignore `lastOnly` and return every position: read the last row).
   */
  forward(
    sessionId: string,
    ids: number[][],
    opts?: { mask?: number[][]; pastLength?: number; lastOnly?: boolean },
  ): Promise<HostTensor>;
  close(sessionId: string): Promise<void>;
}

/** Splits `numLayers` into `k` contiguous spans as evenly as possible. */
export function evenSpans(numLayers: number, k: number): LayerSpan[] {
  if (!Number.isInteger(k) || k < 1 || k > numLayers) {
    throw new PipelineError('bad_input', `Cannot split ${numLayers} layers into ${k} stages`);
  }
  const spans: LayerSpan[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const end = start + Math.floor(numLayers / k) + (i < numLayers % k ? 1 : 0);
    spans.push({ start, end });
    start = end;
  }
  return spans;
}

/** Stages chained in one process: the solo path and the in-process reference for distributed runs. */
export class StageChain implements LogitsSource {
  private constructor(
    readonly config: ModelConfig,
    readonly stages: Stage[],
  ) {}

  /** Compiles one stage per span (default: a single stage holding every layer). */
  static async create(
    config: ModelConfig,
    weights: WeightMap,
    backend: Backend,
    opts: { spans?: LayerSpan[]; stages?: number } & StageOptions = {},
  ): Promise<StageChain> {
    const spans = opts.spans ?? evenSpans(config.numLayers, opts.stages ?? 1);
    const stages: Stage[] = [];
    for (const span of spans) stages.push(await Stage.create(config, weights, span, backend, opts));
    return new StageChain(config, stages);
  }

  async forward(
    sessionId: string,
    ids: number[][],
    opts: { mask?: number[][]; pastLength?: number; lastOnly?: boolean } = {},
  ): Promise<HostTensor> {
    const batch = ids.length;
    const seq = ids[0]?.length ?? 0;
    if (batch === 0 || seq === 0) throw new PipelineError('empty_input', 'No tokens to run');
    if (ids.some((r) => r.length !== seq))
      throw new PipelineError('bad_input', 'All rows of a batch need the same length');
    const flat = new BigInt64Array(batch * seq);
    ids.forEach((row, b) => {
      row.forEach((id, s) => {
        if (!Number.isInteger(id))
          throw new PipelineError('token_out_of_range', `Token id ${id} is not an integer`);
        flat[b * seq + s] = BigInt(id);
      });
    });
    const mask = opts.mask ? Uint8Array.from(opts.mask.flat()) : undefined;
    let x: HostTensor = { type: 'int64', shape: [batch, seq], data: flat };
    for (const stage of this.stages) {
      x = await stage.forward(sessionId, {
        input: x,
        ...(mask ? { mask } : {}),
        ...(opts.pastLength !== undefined ? { pastLength: opts.pastLength } : {}),
        ...(opts.lastOnly ? { logitsFrom: seq - 1 } : {}),
      });
    }
    return x;
  }

  async close(sessionId: string): Promise<void> {
    for (const s of this.stages) s.close(sessionId);
  }

  async dispose(): Promise<void> {
    for (const s of this.stages) await s.dispose();
  }
}
