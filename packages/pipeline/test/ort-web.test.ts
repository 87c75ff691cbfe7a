import { describe, expect, it } from 'vitest';
import { StageChain } from '../src/index';
import { createWebBackend } from '../src/web';
import { loadFixture, maxAbsDiff } from './fixtures';

// The browser runtime (onnxruntime-web, WASM EP) runs in Node too: the same
// emitted graphs must match the HF reference logits there (tolerance 1e-4).
describe('onnxruntime-web (wasm) backend', () => {
  it.each(['gpt2', 'qwen2'] as const)('%s logits match HF on 2 stages', async (name) => {
    const fx = loadFixture(name);
    const backend = await createWebBackend('wasm', { threads: 1 });
    const chain = await StageChain.create(fx.config, fx.weights, backend, { stages: 2 });
    const out = await chain.forward('s', [fx.sequences[1]!]);
    expect(maxAbsDiff(out.data as Float32Array, fx.logits[1]!.flat())).toBeLessThanOrEqual(1e-4);
    await chain.dispose();
  });

  it('webgpu without an adapter is a clear error', async () => {
    await expect(createWebBackend('webgpu')).rejects.toMatchObject({ code: 'backend_unavailable' });
  });
});
