import type { Backend, HostTensor } from '../backends/backend';
import { PipelineError } from '../errors';
import type { LayerSpan, ModelConfig } from '../families/config';
import type { WeightMap } from '../families/weights';
import { type PreparedBatch, prepareBatch, type TokenBatch } from './tokenBatch';
import { type GradArray, TrainingStage } from './trainingStage';

/** Loss and gradients of one batch. */
export interface BatchGradients {
  /** mean next-token cross-entropy over the scored positions */
  loss: number;
  /** scored positions (the loss's denominator) */
  targets: number;
  /** d loss / d weight by model weight name; tied weights summed over stages */
  grads: Map<string, GradArray>;
}

/** Options of {@link TrainingPipeline}. */
export interface TrainingPipelineOptions {
  config: ModelConfig;
  /** used to build the graphs and resolve names; values are fed per call */
  weights: WeightMap;
  backend: Backend;
  /** contiguous layer spans covering the model in order; default one stage */
  spans?: readonly LayerSpan[];
  /** see {@link TrainingGraphOptions.lossGradient} */
  lossGradient?: 'fused' | 'autodiff';
}

/**
 * A model split into training stages, run in order on one host: forwards
 * stage by stage, then backward from the last stage, passing `grad_in` of
 * stage k as `grad_out` of stage k − 1 — the same messages a distributed
 * pipeline exchanges. Stages are compiled per (batch, seq) and cached.
 */
export class TrainingPipeline {
  private readonly byShape = new Map<string, Promise<TrainingStage[]>>();
  readonly spans: readonly LayerSpan[];

  /** @throws PipelineError `bad_input` when the spans do not tile the model's layers in order. */
  constructor(private readonly opts: TrainingPipelineOptions) {
    const L = opts.config.numLayers;
    this.spans = opts.spans ?? [{ start: 0, end: L }];
    let at = 0;
    for (const s of this.spans) {
      if (s.start !== at || !(s.end > s.start)) {
        throw new PipelineError(
          'bad_input',
          `Stage spans must tile [0, ${L}) in order; got [${s.start}, ${s.end}) at ${at}`,
        );
      }
      at = s.end;
    }
    if (at !== L) throw new PipelineError('bad_input', `Stage spans end at layer ${at}, the model has ${L}`);
  }

  /** the model's config */
  get config(): ModelConfig {
    return this.opts.config;
  }

  /** Loss and gradients of one batch at the given weights. */
  async gradients(weights: WeightMap, batch: TokenBatch | PreparedBatch): Promise<BatchGradients> {
    const b = 'labels' in batch ? batch : prepareBatch(batch, this.opts.config);
    const stages = await this.stages(b.batch, b.seq);
    const inputs: HostTensor[] = [{ type: 'int64', shape: [b.batch, b.seq], data: b.inputIds }];
    for (let k = 0; k < stages.length - 1; k++) inputs.push(await stages[k]!.forward(weights, inputs[k]!, b));
    const grads = new Map<string, GradArray>();
    let loss = Number.NaN;
    let gradOut: HostTensor | undefined;
    for (let k = stages.length - 1; k >= 0; k--) {
      const r = await stages[k]!.backward(weights, inputs[k]!, b, gradOut);
      if (r.loss !== undefined) loss = r.loss;
      gradOut = r.gradIn;
      for (const [name, g] of r.grads) {
        const prev = grads.get(name);
        if (!prev) grads.set(name, g);
        else {
          const sum = prev.constructor === Float64Array ? Float64Array.from(prev) : Float32Array.from(prev);
          for (let i = 0; i < sum.length; i++) sum[i]! += g[i]!;
          grads.set(name, sum);
        }
      }
    }
    return { loss, targets: b.targets, grads };
  }

  /** Mean loss of one batch (forward only). */
  async loss(
    weights: WeightMap,
    batch: TokenBatch | PreparedBatch,
  ): Promise<{ loss: number; targets: number }> {
    const b = 'labels' in batch ? batch : prepareBatch(batch, this.opts.config);
    const stages = await this.stages(b.batch, b.seq);
    let x: HostTensor = { type: 'int64', shape: [b.batch, b.seq], data: b.inputIds };
    for (let k = 0; k < stages.length - 1; k++) x = await stages[k]!.forward(weights, x, b);
    return { loss: await stages[stages.length - 1]!.loss(weights, x, b), targets: b.targets };
  }

  /** Releases the compiled stages of every shape. */
  async dispose(): Promise<void> {
    for (const p of this.byShape.values()) for (const s of await p) await s.dispose();
    this.byShape.clear();
  }

  private stages(batch: number, seq: number): Promise<TrainingStage[]> {
    const key = `${batch}x${seq}`;
    let p = this.byShape.get(key);
    if (!p) {
      const { config, weights, backend, lossGradient } = this.opts;
      const opts = { batch, seq, ...(lossGradient ? { lossGradient } : {}) };
      p = (async () => {
        const out: TrainingStage[] = [];
        for (const span of this.spans)
          out.push(await TrainingStage.create(config, weights, span, backend, opts));
        return out;
      })();
      p.catch(() => this.byShape.delete(key));
      this.byShape.set(key, p);
    }
    return p;
  }
}
