import { generateAll, gpt2Tokenizer, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModel } from '@ailo/pipeline/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSoloChat, type SoloChatRun } from '../src/main';
import { qwen2HfDir } from '../src/qwen2Fixture';
import { randomGpt2 } from '../src/randomGpt2';

const GPT2_OPTIONS = { temperature: 0.8, topK: 40, topP: 0.95, seed: 7, maxTokens: 24, stop: ['\nUser:'] };

let run: SoloChatRun;
let printed = '';

beforeAll(async () => {
  run = await runSoloChat({ write: (s) => void (printed += s) });
});

describe('examples/solo-chat-node', () => {
  it('streams the Qwen2 reply token by token, as printed', () => {
    expect(run.qwen2.result.finishReason).toBe('length');
    expect(run.qwen2.result.ids).toHaveLength(8);
    expect(run.qwen2.tokens.map((t) => t.id)).toEqual(run.qwen2.result.ids);
    expect(printed).toContain(`reply ids: ${run.qwen2.result.ids.join(' ')}\n`);
    for (const id of run.qwen2.result.ids) expect(id).toBeGreaterThanOrEqual(0);
    for (const id of run.qwen2.result.ids) expect(id).toBeLessThan(12);
  });

  it('the 2-stage cpu reply equals a 1-stage float64 reference run of the same files', async () => {
    const { config, weights } = await loadModel(qwen2HfDir());
    const ref = await StageChain.create(config, weights, createNodeBackend('ref'));
    const out = await generateAll(ref, run.qwen2Prompt, { greedy: true, maxTokens: 8 });
    expect(run.qwen2.result.ids).toEqual(out.ids);
  });

  it('the int8 reply equals the reference executor on the same int8 weights', async () => {
    const { config, weights } = await loadModel(qwen2HfDir());
    const ref8 = await StageChain.create(config, weights, createNodeBackend('ref'), { weightFormat: 'int8' });
    const out = await generateAll(ref8, run.qwen2Prompt, { greedy: true, maxTokens: 8 });
    expect(run.qwen2Int8.result.ids).toEqual(out.ids);
    expect(printed).toContain(`reply ids: ${run.qwen2Int8.result.ids.join(' ')}\nint8 vs f32:`);
  });

  it('streams GPT-2 text whose pieces add up to the decoded reply', async () => {
    const { gpt2, gpt2Prompt } = run;
    expect(gpt2Prompt).toBe('User: What does the Ailo network do?\nAssistant:');
    expect(gpt2.result.promptTokens).toBe(gpt2Tokenizer().encode(gpt2Prompt).length);
    expect(gpt2.result.ids.length).toBeGreaterThan(0);
    expect(gpt2.tokens.map((t) => t.text).join('')).toBe(gpt2.result.text);
    expect(gpt2.result.text).toBe(gpt2Tokenizer().decode(gpt2.result.ids));
    expect(printed).toContain(`${gpt2Prompt}${gpt2.result.text}\nfinish: ${gpt2.result.finishReason}`);
  });

  it('the seeded GPT-2 sample is reproducible outside the stream', async () => {
    const { config, weights } = randomGpt2();
    const tokenizer = gpt2Tokenizer();
    const chain = await StageChain.create(config, weights, createNodeBackend('cpu'));
    const again = await generateAll(chain, tokenizer.encode(run.gpt2Prompt), GPT2_OPTIONS, tokenizer);
    expect(again.ids).toEqual(run.gpt2.result.ids);
    const other = await generateAll(
      chain,
      tokenizer.encode(run.gpt2Prompt),
      { ...GPT2_OPTIONS, seed: 8 },
      tokenizer,
    );
    expect(other.ids).not.toEqual(run.gpt2.result.ids);
    await chain.dispose();
  });

  it('names the missing fixture when the directory is wrong', () => {
    expect(() => qwen2HfDir('/nonexistent')).toThrow(/Missing fixture .*tiny_qwen2_config\.json/);
  });
});
