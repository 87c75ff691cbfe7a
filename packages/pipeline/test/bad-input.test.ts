import { encodeSafetensors, float32ToEntry } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { PipelineError, parseHfConfig, Stage, StageChain, weightsFromSafetensors } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineError);
    return (e as PipelineError).code;
  }
  throw new Error('expected a PipelineError');
};

describe('bad input is a typed error', () => {
  const fx = loadFixture('gpt2');

  it('token ids outside the vocabulary', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    expect(await code(chain.forward('a', [[1, 12]]))).toBe('token_out_of_range');
    expect(await code(chain.forward('a', [[-1]]))).toBe('token_out_of_range');
    expect(await code(chain.forward('a', [[1.5]]))).toBe('token_out_of_range');
  });

  it('empty input', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    expect(await code(chain.forward('a', []))).toBe('empty_input');
    expect(await code(chain.forward('a', [[]]))).toBe('empty_input');
  });

  it('context overflow', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    await chain.forward('a', [fx.sequences[0]!]);
    expect(await code(chain.forward('a', [[1]], { pastLength: 16 }))).toBe('context_overflow');
    expect(await code(chain.forward('b', [new Array(17).fill(1)]))).toBe('context_overflow');
  });

  it('NaN/Inf in weights at load', () => {
    const bad = new Float32Array([1, Number.NaN, 3, 4]);
    const bytes = encodeSafetensors({ w: float32ToEntry(bad, [2, 2]) });
    expect(() => weightsFromSafetensors([bytes])).toThrowError(
      expect.objectContaining({ code: 'non_finite' }),
    );
  });

  it('weights whose shapes disagree with the config', async () => {
    const cfg = parseHfConfig({
      ...{ model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 13 },
    });
    expect(await code(StageChain.create(cfg, fx.weights, createNodeBackend('cpu')))).toBe('bad_weights');
    const missing = new Map(fx.weights);
    missing.delete('transformer.h.1.ln_2.bias');
    expect(await code(StageChain.create(fx.config, missing, createNodeBackend('cpu')))).toBe('bad_weights');
  });

  it('unsupported architecture lists the supported ones', () => {
    try {
      parseHfConfig({ model_type: 'mamba', hidden_size: 8 });
      throw new Error('no error');
    } catch (e) {
      expect((e as PipelineError).code).toBe('unsupported_architecture');
      expect((e as PipelineError).details).toContain('gpt2, llama, qwen2');
    }
  });

  it('a stage asked for layers it does not hold, or fed the wrong input kind', async () => {
    expect(
      await code(Stage.create(fx.config, fx.weights, { start: 1, end: 3 }, createNodeBackend('cpu'))),
    ).toBe('bad_input');
    const second = await Stage.create(fx.config, fx.weights, { start: 1, end: 2 }, createNodeBackend('cpu'));
    const ids = { type: 'int64' as const, shape: [1, 1], data: new BigInt64Array([1n]) };
    expect(await code(second.forward('s', { input: ids }))).toBe('bad_input');
  });

  it('closed or evicted session ids', async () => {
    let now = 0;
    const stage = await Stage.create(fx.config, fx.weights, { start: 0, end: 2 }, createNodeBackend('cpu'), {
      idleTimeoutMs: 1000,
      maxSessions: 2,
      now: () => now,
    });
    const ids = (n: number) => ({
      type: 'int64' as const,
      shape: [1, n],
      data: new BigInt64Array(n).fill(1n),
    });
    await stage.forward('a', { input: ids(3) });
    stage.close('a');
    expect(await code(stage.forward('a', { input: ids(1), pastLength: 3 }))).toBe('unknown_session');
    await stage.forward('b', { input: ids(2) });
    now = 5000; // b idles past the timeout
    expect(await code(stage.forward('b', { input: ids(1), pastLength: 2 }))).toBe('unknown_session');
    await stage.forward('c', { input: ids(1) });
    await stage.forward('d', { input: ids(1) });
    await stage.forward('e', { input: ids(1) }); // evicts c, the least recently used
    expect(stage.sessionCount).toBe(2);
    expect(await code(stage.forward('c', { input: ids(1), pastLength: 1 }))).toBe('unknown_session');
  });

  it('an unavailable backend says how to enable it', async () => {
    const e = await code(
      Stage.create(fx.config, fx.weights, { start: 0, end: 2 }, createNodeBackend('cuda')),
    );
    expect(e).toBe('backend_unavailable');
    expect(() => createNodeBackend('webgpu')).toThrowError(
      expect.objectContaining({ code: 'backend_unavailable' }),
    );
  });
});
