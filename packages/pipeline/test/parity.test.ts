import { describe, expect, it } from 'vitest';
import { StageChain } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture, maxAbsDiff } from './fixtures';

// Tolerances: the fixture logits are float64 HF outputs. The float64 reference
// executor must match to 1e-6 (qwen2's HF run keeps some float32 steps, ~1.7e-8);
// ONNX Runtime computes in float32 and must match to 1e-4 (the bound).
const TOL = { ref: 1e-6, cpu: 1e-4 } as const;

describe.each(['gpt2', 'qwen2'] as const)('fixture logits parity: %s', (name) => {
  const fx = loadFixture(name);
  it.each(['ref', 'cpu'] as const)('full-sequence logits match HF on %s', async (backend) => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend(backend));
    for (let s = 0; s < fx.sequences.length; s++) {
      const out = await chain.forward(`s${s}`, [fx.sequences[s]!]);
      expect(out.shape).toEqual([1, 16, 12]);
      const err = maxAbsDiff(out.data as ArrayLike<number>, fx.logits[s]!.flat());
      expect(err).toBeLessThanOrEqual(TOL[backend]);
    }
    await chain.dispose();
  });
});
