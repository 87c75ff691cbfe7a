import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { generateAll, StageChain } from '../src/index';
import { createNodeBackend, exportTransformersJs } from '../src/node';
import { loadFixture, maxAbsDiff } from './fixtures';

env.allowRemoteModels = false;

// The export must load in Transformers.js (onnxruntime-node) and agree with our runtime:
// logits within 1e-4 of the HF reference, and identical greedy tokens.
describe.each(['gpt2', 'qwen2'] as const)('Transformers.js export: %s', (name) => {
  it('loads in @huggingface/transformers, matches logits and greedy tokens', async () => {
    const fx = loadFixture(name);
    const root = mkdtempSync(join(tmpdir(), 'ailo-export-'));
    exportTransformersJs(fx.config, fx.weights, join(root, name));
    env.localModelPath = root;
    const model = await AutoModelForCausalLM.from_pretrained(name, { local_files_only: true, dtype: 'fp32' });
    const seq = fx.sequences[2]!;
    const ids = new Tensor('int64', BigInt64Array.from(seq.map(BigInt)), [1, seq.length]);
    const mask = new Tensor('int64', new BigInt64Array(seq.length).fill(1n), [1, seq.length]);
    const out = (await model({ input_ids: ids, attention_mask: mask })) as { logits: Tensor };
    expect(maxAbsDiff(out.logits.data as Float32Array, fx.logits[2]!.flat())).toBeLessThanOrEqual(1e-4);

    const prompt = seq.slice(0, 5);
    const gen = (await model.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, prompt.length]),
      max_new_tokens: 8,
      do_sample: false,
    })) as Tensor;
    const theirs = Array.from(gen.data as BigInt64Array, Number).slice(prompt.length);
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const ours = await generateAll(chain, prompt, { greedy: true, maxTokens: 8 });
    expect(theirs).toEqual(ours.ids);
    await model.dispose();
  });
});
