/**
 * Honest client updates for the tests: a few plain SGD steps of the real training graph
 * (`TrainingStage` of `@ailo/pipeline`, forward + reverse-mode backward over the same ONNX ops
 * the model runs), Δ_k = M_t − M_k. Plain SGD with a fixed rate keeps the updates easy to
 * reason about (the pipeline's `trainLocal` uses AdamW with a schedule).
 */
import { type Backend, type ModelConfig, prepareBatch, TrainingStage, type Weight } from '@ailo/pipeline';

export type ModelTensors = Map<string, Float32Array>;

/** A compiled training graph for one (batch, seq), reused by every client. */
export class LocalTrainer {
  private constructor(
    private readonly config: ModelConfig,
    private readonly stage: TrainingStage,
    private readonly batch: number,
    private readonly seq: number,
  ) {}

  static async create(
    config: ModelConfig,
    shapes: ReadonlyMap<string, readonly number[]>,
    model: ModelTensors,
    backend: Backend,
    batch: number,
    seq: number,
  ): Promise<LocalTrainer> {
    const stage = await TrainingStage.create(
      config,
      toWeights(model, shapes),
      { start: 0, end: config.numLayers },
      backend,
      { batch, seq },
    );
    return new LocalTrainer(config, stage, batch, seq);
  }

  /**
   * E passes of SGD over `data` (batches of `batch` rows of `seq` tokens, the last partial batch
   * dropped), learning rate `lr`; returns Δ = M_t − M_k and the number of sequences used.
   */
  async train(
    model: ModelTensors,
    shapes: ReadonlyMap<string, readonly number[]>,
    data: number[][],
    opts: { lr: number; epochs?: number },
  ): Promise<{ delta: ModelTensors; numSamples: number; losses: number[] }> {
    const w = new Map<string, Float32Array>();
    for (const [k, v] of model) w.set(k, Float32Array.from(v));
    const losses: number[] = [];
    const batches = Math.floor(data.length / this.batch);
    for (let e = 0; e < (opts.epochs ?? 1); e++) {
      for (let b = 0; b < batches; b++) {
        const rows = data.slice(b * this.batch, (b + 1) * this.batch);
        const prepared = prepareBatch({ ids: rows.flat(), batch: this.batch, seq: this.seq }, this.config);
        const out = await this.stage.backward(
          toWeights(w, shapes),
          { type: 'int64', shape: [this.batch, this.seq], data: prepared.inputIds },
          prepared,
        );
        losses.push(out.loss!);
        for (const [name, g] of out.grads) {
          const x = w.get(name)!;
          for (let i = 0; i < x.length; i++) x[i]! -= opts.lr * g[i]!;
        }
      }
    }
    const delta = new Map<string, Float32Array>();
    for (const [k, v] of model) {
      const m = w.get(k)!;
      const d = new Float32Array(v.length);
      for (let i = 0; i < d.length; i++) d[i] = v[i]! - m[i]!;
      delta.set(k, d);
    }
    return { delta, numSamples: batches * this.batch * (opts.epochs ?? 1), losses };
  }

  async dispose(): Promise<void> {
    await this.stage.dispose();
  }
}

export function toWeights(
  model: ReadonlyMap<string, Float32Array>,
  shapes: ReadonlyMap<string, readonly number[]>,
): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const [k, v] of model) out.set(k, { shape: [...shapes.get(k)!], data: v });
  return out;
}
