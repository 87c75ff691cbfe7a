import { startCoordinatorNode } from '../../src/coordinator/startCoordinatorNode';
import { createTinyModel } from '../../src/model/createTinyModel';
import { type CliProcess, spawnCli } from '../processes';
import { percentile } from './percentile';

/** What concurrent chat sessions through a worker pipeline measured. */
export interface ChatLoadReport {
  sessions: number;
  workers: number;
  /** tokens each session asked for */
  maxTokens: number;
  /** s, first request sent → last stream ended */
  seconds: number;
  /** completion tokens received, all sessions */
  tokens: number;
  tokensPerSecond: number;
  /** ms: request sent → first content chunk */
  firstTokenP50Ms: number;
  firstTokenP99Ms: number;
  /** ms: between content chunks of one stream */
  interTokenP50Ms: number;
  interTokenP99Ms: number;
  /** ms: request sent → stream ended */
  requestP50Ms: number;
  requestP99Ms: number;
  /** sessions whose text or token count fell short of the solo run of the same prompt, or that failed */
  lost: number;
  /** sessions with more text or tokens than the solo run */
  duplicated: number;
  /** sessions whose text differs otherwise */
  mismatched: number;
  /** failed requests by HTTP status or error */
  errors: Record<string, number>;
}

const PROMPTS = ['Hello there', 'Tell me about the weather', 'What is a pipeline?', 'Count to ten'];

interface Completion {
  text: string;
  tokens: number;
  firstMs: number;
  gaps: number[];
  totalMs: number;
}

/** One streaming chat completion over HTTP (SSE), timed. */
async function chat(base: string, prompt: string, maxTokens: number): Promise<Completion> {
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'load-model',
      messages: [{ role: 'user', content: prompt }],
      max_tokens: maxTokens,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const decoder = new TextDecoder();
  let buf = '';
  let text = '';
  let tokens = -1;
  let firstMs = Number.NaN;
  let last = 0;
  const gaps: number[] = [];
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const event = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
      const j = JSON.parse(event.slice(6)) as {
        choices: { delta?: { content?: string } }[];
        usage?: { completion_tokens: number };
        error?: { code: string };
      };
      if (j.error) throw new Error(j.error.code);
      if (j.usage) tokens = j.usage.completion_tokens;
      const content = j.choices[0]?.delta?.content;
      if (!content) continue;
      const now = performance.now();
      if (Number.isNaN(firstMs)) firstMs = now - t0;
      else gaps.push(now - last);
      last = now;
      text += content;
    }
  }
  return { text, tokens, firstMs, gaps, totalMs: performance.now() - t0 };
}

/**
 * `sessions` concurrent streaming chat sessions through the OpenAI API of a
 * coordinator whose model (4 layers) is split over `workers` worker
 * processes. Greedy decoding: each session's text must equal the solo run of
 * its prompt, so a token lost, repeated or misrouted anywhere shows.
 */
export async function chatLoad(opts: {
  sessions: number;
  dataDir: string;
  maxTokens?: number;
  workers?: number;
}): Promise<ChatLoadReport> {
  const maxTokens = opts.maxTokens ?? 16;
  const nWorkers = opts.workers ?? 4;
  const modelDir = `${opts.dataDir}/load-model`;
  createTinyModel(modelDir, { layers: 4, hidden: 64, heads: 4, context: 64 }, 11);
  const node = await startCoordinatorNode({
    dataDir: `${opts.dataDir}/chat-coord`,
    port: 0,
    models: [{ dir: modelDir }],
    maxSessions: opts.sessions,
    // all clients share 127.0.0.1: room for every stream, and no request rate
    abuse: {
      maxConnectionsPerIp: opts.sessions * 2 + 64,
      inference: { burst: 1_000_000, perSecond: 1_000_000 },
    },
  });
  const c = node.coordinator;
  const workers: CliProcess[] = [];
  try {
    const per = 4 / nWorkers;
    for (let i = 0; i < nWorkers; i++) {
      workers.push(
        await spawnCli([
          'worker',
          '--coordinator',
          c.url,
          '--layers',
          `${i * per}:${(i + 1) * per}`,
          '--max-sessions',
          String(opts.sessions + 1),
          '--threads',
          '1',
          '--json',
        ]),
      );
    }
    await Promise.all(workers.map((w) => w.waitForJson((j) => j.event === 'serving', 60_000)));
    await c.waitForCoverage(undefined, 30_000);
    const reference = new Map<string, Completion>();
    for (const p of PROMPTS) reference.set(p, await chat(c.httpUrl, p, maxTokens));
    const errors: Record<string, number> = {};
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: opts.sessions }, (_, i) => {
        const prompt = PROMPTS[i % PROMPTS.length]!;
        return chat(c.httpUrl, prompt, maxTokens).then(
          (r) => ({ prompt, r }),
          (e: Error) => {
            errors[e.message] = (errors[e.message] ?? 0) + 1;
            return { prompt, r: undefined };
          },
        );
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    let lost = 0;
    let duplicated = 0;
    let mismatched = 0;
    for (const { prompt, r } of results) {
      const ref = reference.get(prompt)!;
      if (!r || r.tokens < ref.tokens || (r.text.length < ref.text.length && ref.text.startsWith(r.text)))
        lost++;
      else if (r.tokens > ref.tokens || (r.text.length > ref.text.length && r.text.startsWith(ref.text)))
        duplicated++;
      else if (r.text !== ref.text) mismatched++;
    }
    const ok = results.flatMap((x) => (x.r ? [x.r] : []));
    const tokens = ok.reduce((n, r) => n + r.tokens, 0);
    return {
      sessions: opts.sessions,
      workers: nWorkers,
      maxTokens,
      seconds,
      tokens,
      tokensPerSecond: tokens / seconds,
      firstTokenP50Ms: percentile(
        ok.map((r) => r.firstMs),
        0.5,
      ),
      firstTokenP99Ms: percentile(
        ok.map((r) => r.firstMs),
        0.99,
      ),
      interTokenP50Ms: percentile(
        ok.flatMap((r) => r.gaps),
        0.5,
      ),
      interTokenP99Ms: percentile(
        ok.flatMap((r) => r.gaps),
        0.99,
      ),
      requestP50Ms: percentile(
        ok.map((r) => r.totalMs),
        0.5,
      ),
      requestP99Ms: percentile(
        ok.map((r) => r.totalMs),
        0.99,
      ),
      lost,
      duplicated,
      mismatched,
      errors,
    };
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
    await node.close();
  }
}
