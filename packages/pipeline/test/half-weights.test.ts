import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertEntry, encodeSafetensors, parseSafetensors } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { StageChain, weightsFromSafetensors } from '../src/index';
import { createNodeBackend } from '../src/node';
import { FIXTURE_DIR, loadFixture, maxAbsDiff } from './fixtures';

// fp16/bf16 checkpoints are widened to float32 at load. The logits move only by the
// rounding of the weights: bounded here by 2e-3 (fp16, 11-bit mantissa) and 2e-2 (bf16, 8-bit).
describe.each([
  ['f16', 2e-3],
  ['bf16', 2e-2],
] as const)('%s weights', (dtype, tol) => {
  it.each(['gpt2', 'qwen2'] as const)('%s logits stay within tolerance of f32', async (name) => {
    const fx = loadFixture(name);
    const file = parseSafetensors(
      new Uint8Array(
        readFileSync(
          join(FIXTURE_DIR, name === 'gpt2' ? 'tiny_distilgpt2.safetensors' : 'tiny_qwen2.safetensors'),
        ),
      ),
    );
    const half = encodeSafetensors(
      [...file.tensors].map(([n, e]) => [n, convertEntry(e, dtype)] as [string, typeof e]),
    );
    const weights = weightsFromSafetensors([half]);
    const chain = await StageChain.create(fx.config, weights, createNodeBackend('cpu'));
    const out = await chain.forward('s', [fx.sequences[0]!]);
    const err = maxAbsDiff(out.data as Float32Array, fx.logits[0]!.flat());
    expect(err).toBeLessThanOrEqual(tol);
    expect(err).toBeGreaterThan(1e-7); // the weights really were rounded
  });
});
