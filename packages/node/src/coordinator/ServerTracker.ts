import type { HostTensor, LogitsSource, ModelConfig } from '@ailo/pipeline';
import type { RemotePipeline } from './RemotePipeline';
import type { WorkerEntry } from './WorkerRegistry';

/**
 * A {@link RemotePipeline} seen through one request: it remembers the chain
 * of workers that ran the last step, so the request can pay the workers that
 * actually finished it (a failed-over worker is not in the final chain).
 */
export class ServerTracker implements LogitsSource {
  readonly config: ModelConfig;
  private last: readonly WorkerEntry[] = [];

  constructor(private readonly pipeline: RemotePipeline) {
    this.config = pipeline.config;
  }

  /** Workers of the chain that ran the last successful step, in hop order. */
  get servers(): readonly WorkerEntry[] {
    return this.last;
  }

  async forward(
    session: string,
    ids: number[][],
    opts?: { mask?: number[][]; pastLength?: number; lastOnly?: boolean },
  ): Promise<HostTensor> {
    const out = await this.pipeline.forward(session, ids, opts);
    this.last = this.pipeline.servedBy(session) ?? this.last;
    return out;
  }

  close(session: string): Promise<void> {
    return this.pipeline.close(session);
  }
}
