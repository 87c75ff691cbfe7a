import { generateAll, gpt2Tokenizer, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { chatPrompt } from '../src/http/chatPrompt';
import { createTinyModel } from '../src/model/createTinyModel';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { tempDir } from './fixtures';

// A random-init tiny GPT-2 with the real GPT-2 BPE vocabulary, split over two
// in-process workers (real WebSocket connections on loopback).
const data = tempDir();
const modelDir = `${data}/tiny`;
createTinyModel(modelDir, { layers: 2, hidden: 32, heads: 2, context: 64 }, 7);
let c: Coordinator;
let workers: RunningWorker[];
let client: OpenAI;
let local: StageChain;

beforeAll(async () => {
  c = (
    await startCoordinatorNode({
      dataDir: `${data}/coord`,
      port: 0,
      models: [{ dir: modelDir }],
      maxSessions: 2,
    })
  ).coordinator;
  workers = [0, 1].map((i) => startWorker({ coordinator: c.url, layers: { start: i, end: i + 1 } }));
  await c.waitForCoverage(undefined, 20_000);
  client = new OpenAI({ baseURL: `${c.httpUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
  const m = loadModelDir(modelDir);
  local = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'));
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await c.close();
  await local.dispose();
});

const tok = gpt2Tokenizer();

describe('OpenAI client against the coordinator', () => {
  test('models.list and models.retrieve', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(['tiny']);
    expect((await client.models.retrieve('tiny')).id).toBe('tiny');
  });

  test('completion, temperature 0: same text as local greedy generation, usage counted', async () => {
    const prompt = 'The jury said';
    const ref = await generateAll(local, tok.encode(prompt), { maxTokens: 12, greedy: true }, tok);
    const r = await client.completions.create({ model: 'tiny', prompt, max_tokens: 12, temperature: 0 });
    expect(r.choices[0]!.text).toBe(ref.text);
    expect(r.usage).toEqual({
      prompt_tokens: tok.encode(prompt).length,
      completion_tokens: ref.ids.length,
      total_tokens: tok.encode(prompt).length + ref.ids.length,
    });
    expect(r.choices[0]!.finish_reason).toBe(ref.finishReason === 'length' ? 'length' : 'stop');
  });

  test('streaming completion concatenates to the non-streaming text, with usage', async () => {
    const args = { model: 'tiny', prompt: 'Once upon a time', max_tokens: 10, temperature: 0 } as const;
    const full = await client.completions.create(args);
    const stream = await client.completions.create({
      ...args,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(full.choices[0]!.text);
    expect(finish).toBe(full.choices[0]!.finish_reason);
    expect(usage).toEqual(full.usage);
  });

  test('chat completion, streaming and not, agree with local generation on the chat transcript', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Name a colour.' },
    ];
    const ref = await generateAll(
      local,
      tok.encode(chatPrompt(messages)),
      { maxTokens: 8, greedy: true, stop: ['\nUser:'] },
      tok,
    );
    const r = await client.chat.completions.create({
      model: 'tiny',
      messages,
      max_tokens: 8,
      temperature: 0,
    });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(r.choices[0]!.message.content).toBe(ref.text);
    const stream = await client.chat.completions.create({
      model: 'tiny',
      messages,
      max_tokens: 8,
      temperature: 0,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(ref.text);
  });

  test('a stop sequence ends the completion and never appears in the stream', async () => {
    const args = { model: 'tiny', prompt: 'a b c', max_tokens: 20, temperature: 0 } as const;
    const free = (await client.completions.create(args)).choices[0]!.text;
    const stopAt = free.slice(3, 6);
    expect(stopAt.length).toBe(3);
    const r = await client.completions.create({ ...args, stop: [stopAt] });
    expect(r.choices[0]!.text).toBe(free.slice(0, free.indexOf(stopAt)));
    expect(r.choices[0]!.finish_reason).toBe('stop');
    let text = '';
    for await (const chunk of await client.completions.create({ ...args, stop: [stopAt], stream: true }))
      text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(r.choices[0]!.text);
  });
});

describe('API errors are OpenAI-shaped', () => {
  test('unknown model → 404 model_not_found', async () => {
    const e = await client.completions.create({ model: 'nope', prompt: 'x' }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e.code).toBe('model_not_found');
    expect(e.message).toContain('nope');
  });

  test('bad parameters → 400 naming the parameter', async () => {
    const e = await client.completions.create({ model: 'tiny', prompt: 'x', temperature: 5 }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.param).toBe('temperature');
    const n = await client.completions.create({ model: 'tiny', prompt: 'x', n: 2 }).catch((x) => x);
    expect(n.param).toBe('n');
    const ids = await client.completions.create({ model: 'tiny', prompt: [1, 2, 99999] }).catch((x) => x);
    expect(ids.status).toBe(400);
    const chat = await client.chat.completions.create({ model: 'tiny', messages: [] }).catch((x) => x);
    expect(chat.param).toBe('messages');
  });

  test('a prompt longer than the context → 400 context_length_exceeded', async () => {
    const e = await client.completions
      .create({ model: 'tiny', prompt: Array.from({ length: 64 }, () => 5) })
      .catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.code).toBe('context_length_exceeded');
  });

  test('oversized and malformed bodies → 413 / 400', async () => {
    const big = await fetch(`${c.httpUrl}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny', prompt: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).error.type).toBe('invalid_request_error');
    const bad = await fetch(`${c.httpUrl}/v1/completions`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  });

  test('too many sessions → 429, retryable', async () => {
    const p = c.pipeline('tiny');
    await p.forward('hold-1', [[1, 2]]);
    await p.forward('hold-2', [[1, 2]]);
    const e = await client.completions.create({ model: 'tiny', prompt: 'x', max_tokens: 1 }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
    expect(e.headers.get('retry-after')).toBe('1');
    await p.close('hold-1');
    await p.close('hold-2');
    const ok = await client.completions.create({ model: 'tiny', prompt: 'x', max_tokens: 1 });
    expect(ok.usage?.completion_tokens).toBe(1);
  });
});

test('/health and /metrics', async () => {
  const h = await (await fetch(`${c.httpUrl}/health`)).json();
  expect(h.status).toBe('ok');
  expect(h.models[0]).toMatchObject({ id: 'tiny', layers: 2, served: true });
  expect(h.workers).toHaveLength(2);
  const m = await (await fetch(`${c.httpUrl}/metrics`)).text();
  expect(m).toMatch(/ailo_nodes\{state="ready"\} 2/);
  expect(m).toMatch(/ailo_tokens_total \d+/);
  expect(m).toContain('ailo_sessions_active 0');
});

test('no worker holds a layer: fails fast with 503 naming the missing span', async () => {
  await workers[1]!.stop();
  for (let i = 0; i < 100 && c.workers.list().length > 1; i++) await new Promise((r) => setTimeout(r, 10));
  const t0 = Date.now();
  const e = await client.completions.create({ model: 'tiny', prompt: 'x' }).catch((x) => x);
  // fails at routing, long before a hop could time out
  expect(Date.now() - t0).toBeLessThan(2000);
  expect(e.status).toBe(503);
  expect(e.code).toBe('layers_unavailable');
  expect(e.message).toContain('[1, 2)');
  const h = await (await fetch(`${c.httpUrl}/health`)).json();
  expect(h.status).toBe('degraded');
  expect(h.models[0].missing).toContain('[1, 2)');
});
