import { describe, expect, it } from 'vitest';
import { generate, generateAll, gpt2Tokenizer, StageChain, sampleToken, seededRandom } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

describe('generation', () => {
  const fx = loadFixture('qwen2');

  it('greedy decoding equals arg-max over full recomputation, on 1 and 2 stages, chunked prefill', async () => {
    const prompt = fx.sequences[0]!.slice(0, 4);
    const one = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const two = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'), { stages: 2 });
    const a = await generateAll(one, prompt, { greedy: true, maxTokens: 10 });
    const b = await generateAll(two, prompt, { greedy: true, maxTokens: 10, prefillChunk: 3 });
    expect(a.ids).toHaveLength(10);
    expect(b.ids).toEqual(a.ids);
    // brute force: recompute the whole sequence for every step
    const seq = [...prompt];
    for (let i = 0; i < 10; i++) {
      const out = await one.forward(`full${i}`, [seq]);
      const V = fx.config.vocabSize;
      const last = Array.from((out.data as Float32Array).subarray((seq.length - 1) * V, seq.length * V));
      seq.push(last.indexOf(Math.max(...last)));
    }
    expect(seq.slice(prompt.length)).toEqual(a.ids);
    expect(one.stages[0]!.sessionCount).toBe(10); // generation closed its own session
  });

  it('a seed makes sampling deterministic; different seeds differ', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const opts = { temperature: 5, topP: 0.95, maxTokens: 11 };
    const a = await generateAll(chain, [1, 2], { ...opts, seed: 42 });
    const b = await generateAll(chain, [1, 2], { ...opts, seed: 42 });
    const c = await generateAll(chain, [1, 2], { ...opts, seed: 43 });
    expect(b.ids).toEqual(a.ids);
    expect(c.ids).not.toEqual(a.ids);
  });

  it('stops at the context limit and reports why', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const r = await generateAll(chain, fx.sequences[0]!.slice(0, 12), { greedy: true, maxTokens: 50 });
    expect(r.ids).toHaveLength(4);
    expect(r.finishReason).toBe('context');
  });

  it('streams as an async iterator and can be cancelled', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    const ac = new AbortController();
    const seen: number[] = [];
    await expect(async () => {
      for await (const t of generate(chain, [3], { greedy: true, maxTokens: 10, signal: ac.signal })) {
        seen.push(t.id);
        if (seen.length === 3) ac.abort();
      }
    }).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toHaveLength(3);
  });

  it('rejects bad sampling options and empty prompts', async () => {
    const chain = await StageChain.create(fx.config, fx.weights, createNodeBackend('cpu'));
    await expect(generateAll(chain, [], {})).rejects.toMatchObject({ code: 'empty_input' });
    await expect(generateAll(chain, [1], { topP: 0 })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(generateAll(chain, [1], { temperature: -1 })).rejects.toMatchObject({ code: 'bad_input' });
    await expect(generateAll(chain, new Array(17).fill(1), {})).rejects.toMatchObject({
      code: 'context_overflow',
    });
  });
});

describe('sampling', () => {
  const logits = [1, 3, 2, 0.5];
  it('greedy and temperature 0 pick the arg-max', () => {
    expect(sampleToken(logits, { greedy: true }, [], Math.random)).toBe(1);
    expect(sampleToken(logits, { temperature: 0 }, [], Math.random)).toBe(1);
  });
  it('top-k 1 is greedy; top-k 2 never picks outside the two best', () => {
    const r = seededRandom(1);
    for (let i = 0; i < 200; i++) expect(sampleToken(logits, { topK: 1 }, [], r)).toBe(1);
    for (let i = 0; i < 200; i++)
      expect([1, 2]).toContain(sampleToken(logits, { topK: 2, temperature: 3 }, [], r));
  });
  it('top-p keeps the nucleus only', () => {
    const r = seededRandom(2);
    // softmax([10, 9, 0, 0]) ≈ [0.731, 0.269, 3e-5, 3e-5]: p = 0.9 keeps ids 0 and 1
    for (let i = 0; i < 300; i++) expect([0, 1]).toContain(sampleToken([10, 9, 0, 0], { topP: 0.9 }, [], r));
  });
  it('sampling frequencies follow the softmax', () => {
    const r = seededRandom(3);
    const counts = [0, 0];
    for (let i = 0; i < 20000; i++) counts[sampleToken([Math.log(3), 0], {}, [], r)]!++;
    expect(counts[0]! / 20000).toBeCloseTo(0.75, 1);
  });
  it('repetition penalty demotes seen tokens', () => {
    expect(sampleToken([2, 1.5], { greedy: true, repetitionPenalty: 2 }, [0], Math.random)).toBe(1);
  });
});

describe('GPT-2 tokenizer', () => {
  it('round-trips text and knows EOS', () => {
    const t = gpt2Tokenizer();
    const ids = t.encode('Hello world, the quick brown fox.');
    expect(ids.slice(0, 2)).toEqual([15496, 995]);
    expect(t.decode(ids)).toBe('Hello world, the quick brown fox.');
    expect(t.eosTokenId).toBe(50256);
  });
});
