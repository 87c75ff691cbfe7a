import { makeModelConfig } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { initializeWeights, LocalTrainer, type LogitsSource, StageChain, textDataset } from '../src/index';
import { createNodeBackend, loadBrownCorpus } from '../src/node';

// A GPT-2-architecture model (4 layers, d_model 128) trained on the Brown "news"
// genre until its held-out loss is well below uniform; int8 weight-only
// quantisation (MatMulNBits, per-channel blocks) must keep its held-out
// perplexity within 2% of fp32, and really change the numbers.
const news = loadBrownCorpus({ genres: ['news'] }).map((d) => d.text);
const bytes = (t: string) => Array.from(new TextEncoder().encode(t));

/** exp(mean next-token negative log-likelihood) of each row's tokens. */
async function perplexity(src: LogitsSource, rows: number[][]): Promise<number> {
  const V = src.config.vocabSize;
  let nll = 0;
  let n = 0;
  for (const [r, ids] of rows.entries()) {
    const logits = (await src.forward(`ppl-${r}`, [ids])).data as Float32Array;
    await src.close(`ppl-${r}`);
    for (let t = 0; t + 1 < ids.length; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      let max = -Infinity;
      for (const x of row) if (x > max) max = x;
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      nll += max + Math.log(sum) - row[ids[t + 1]!]!;
      n++;
    }
  }
  return Math.exp(nll / n);
}

describe('int8 weights keep the quality of a trained model', () => {
  it('held-out Brown perplexity in int8 is within 2% of fp32', async () => {
    const config = makeModelConfig({
      architecture: 'gpt2',
      numLayers: 4,
      hiddenSize: 128,
      numHeads: 4,
      vocabSize: 256,
      maxPositions: 64,
    });
    const data = textDataset(news, {
      seq: 64,
      batchSize: 4,
      seed: 2,
      heldOutFraction: 0.05,
      tokenize: bytes,
      separator: null,
    });
    const trainer = new LocalTrainer({
      config,
      weights: initializeWeights(config, 2),
      backend: createNodeBackend('cpu'),
      optimizer: { lr: 3e-3, warmupSteps: 10, totalSteps: 200 },
    });
    for (let s = 0; s < 200; s++) await trainer.step([data.train[s % data.train.length]!]);
    await trainer.dispose();
    const rows = data.heldOut.slice(0, 8).flatMap((b) => {
      const out: number[][] = [];
      for (let i = 0; i < b.batch; i++) out.push(Array.from(b.ids).slice(i * b.seq, (i + 1) * b.seq));
      return out;
    });
    const backend = createNodeBackend('cpu');
    const f32 = await StageChain.create(config, trainer.weights, backend);
    const int8 = await StageChain.create(config, trainer.weights, backend, { weightFormat: 'int8' });
    const p32 = await perplexity(f32, rows);
    const p8 = await perplexity(int8, rows);
    await f32.dispose();
    await int8.dispose();
    // measured: fp32 19.634, int8 19.633 (−0.004%)
    expect(p32).toBeLessThan(30); // trained: uniform would be 256
    expect(Math.abs(p8 / p32 - 1)).toBeLessThan(0.02);
    expect(p8).not.toBe(p32);
  }, 90_000);
});
