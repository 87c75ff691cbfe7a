import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packModel } from '@ailo/virtual-tensor/node';
import { describe, expect, it } from 'vitest';
import { StageChain } from '../src/index';
import { createNodeBackend, loadModel, loadModelDir } from '../src/node';
import { FIXTURE_DIR, loadFixture, maxAbsDiff, TINY_GPT2_CONFIG } from './fixtures';

// A packed VirtualTensor directory runs like the original checkpoint; a stage
// loading only its span sees only its layers' tensors.
describe.each(['gpt2', 'qwen2'] as const)('packed VirtualTensor model: %s', (name) => {
  it('logits match the fixture (1e-4); a span loads only its layers', async () => {
    const fx = loadFixture(name);
    const out = join(mkdtempSync(join(tmpdir(), 'ailo-packed-')), 'model');
    await packModel({
      input: join(FIXTURE_DIR, name === 'gpt2' ? 'tiny_distilgpt2.safetensors' : 'tiny_qwen2.safetensors'),
      out,
      hfConfig:
        name === 'gpt2'
          ? TINY_GPT2_CONFIG
          : (await import(join(FIXTURE_DIR, 'tiny_qwen2_config.json'), { with: { type: 'json' } })).default,
      chunks: 3,
    });
    const m = await loadModel(out);
    const chain = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'), { stages: 2 });
    const logits = await chain.forward('s', [fx.sequences[0]!]);
    expect(maxAbsDiff(logits.data as Float32Array, fx.logits[0]!.flat())).toBeLessThanOrEqual(1e-4);

    const second = await loadModel(out, { span: { start: 1, end: 2 } });
    const names = [...second.weights.keys()];
    expect(names.some((n) => /\.0\./.test(n))).toBe(false);
    expect(names.some((n) => /\.1\./.test(n))).toBe(true);
    expect(() => loadModelDir(out)).toThrowError(expect.objectContaining({ code: 'bad_config' }));
  });
});
