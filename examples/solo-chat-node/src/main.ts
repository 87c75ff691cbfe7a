/**
 * Solo chat in Node with `@ailo/pipeline`: load a model, compile it into stages, stream a reply.
 *
 *   npx tsx --conditions=source src/main.ts [path/to/hf-tiny]
 */
import { pathToFileURL } from 'node:url';
import { applyChatTemplate, gpt2Tokenizer, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModel } from '@ailo/pipeline/node';
import { DEFAULT_FIXTURES_DIR, qwen2HfDir } from './qwen2Fixture';
import { randomGpt2 } from './randomGpt2';
import { type StreamedReply, streamReply } from './streamReply';

/** Options of {@link runSoloChat}. */
export interface SoloChatOptions {
  /** directory holding `tiny_qwen2_config.json` and `tiny_qwen2.safetensors` */
  fixturesDir?: string;
  /** where output goes (default stdout) */
  write?: (text: string) => void;
}

/** What {@link runSoloChat} streamed. */
export interface SoloChatRun {
  /** the Qwen2 fixture loaded from an HF directory, prompt and reply as token ids */
  qwen2Prompt: number[];
  qwen2: StreamedReply;
  /** the same model with int8 projection weights */
  qwen2Int8: StreamedReply;
  /** the random GPT-2-vocabulary model, prompt and reply as text */
  gpt2Prompt: string;
  gpt2: StreamedReply;
}

/** Runs the three chats of this example and prints them as they stream. */
export async function runSoloChat(opts: SoloChatOptions = {}): Promise<SoloChatRun> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  const backend = createNodeBackend('cpu');

  // 1. A model from a Hugging Face directory (config.json + model.safetensors).
  //    The tiny Qwen2 fixture has no tokenizer (vocab 12): prompt and reply are token ids.
  const { config, weights } = await loadModel(qwen2HfDir(opts.fixturesDir ?? DEFAULT_FIXTURES_DIR));
  const qwen2Prompt = [0, 7, 2, 9];
  write(
    `== ${config.architecture}: ${config.numLayers} layers, vocab ${config.vocabSize}, 2 stages, cpu, f32 ==\n`,
  );
  write(`prompt ids: ${qwen2Prompt.join(' ')}\nreply ids:`);
  // two in-process stages, layers [0, 1) and [1, 2), each with its own KV cache
  const chain = await StageChain.create(config, weights, backend, { stages: 2 });
  const qwen2 = await streamReply(chain, qwen2Prompt, { greedy: true, maxTokens: 8 }, (t) =>
    write(` ${t.id}`),
  );
  write(`\nfinish: ${qwen2.result.finishReason}, ${qwen2.result.ids.length} tokens\n\n`);
  await chain.dispose();

  // 2. The same model with int8 weights: projections become MatMulNBits (8-bit, block-wise scales).
  write('== the same model, int8 weights ==\nreply ids:');
  const chain8 = await StageChain.create(config, weights, backend, { weightFormat: 'int8' });
  const qwen2Int8 = await streamReply(chain8, qwen2Prompt, { greedy: true, maxTokens: 8 }, (t) =>
    write(` ${t.id}`),
  );
  const agree = qwen2Int8.result.ids.filter((id, i) => id === qwen2.result.ids[i]).length;
  write(`\nint8 vs f32: ${agree}/${qwen2.result.ids.length} tokens agree\n\n`);
  await chain8.dispose();

  // 3. Text chat: GPT-2 BPE and a GPT-2-architecture model with random weights (untrained:
  //    the words are random, the machinery is real). Sampling is seeded, so reruns agree.
  const gpt = randomGpt2();
  const tokenizer = gpt2Tokenizer();
  const gpt2Prompt = applyChatTemplate([{ role: 'user', content: 'What does the Ailo network do?' }], {
    architecture: 'gpt2',
  });
  write(`== gpt2: random weights, GPT-2 vocabulary (${gpt.config.vocabSize}) ==\n${gpt2Prompt}`);
  const textChain = await StageChain.create(gpt.config, gpt.weights, backend);
  const gpt2 = await streamReply(
    textChain,
    tokenizer.encode(gpt2Prompt),
    { temperature: 0.8, topK: 40, topP: 0.95, seed: 7, maxTokens: 24, stop: ['\nUser:'] },
    (t) => write(t.text),
    tokenizer,
  );
  write(
    `\nfinish: ${gpt2.result.finishReason}, ${gpt2.result.ids.length} tokens, ${gpt2.tokensPerSecond.toFixed(0)} tok/s\n`,
  );
  await textChain.dispose();

  return { qwen2Prompt, qwen2, qwen2Int8, gpt2Prompt, gpt2 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fixturesDir = process.argv[2];
  await runSoloChat(fixturesDir ? { fixturesDir } : {});
}
