import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FinishReason, type GenerationResult, generate } from '@ailo/pipeline';
import type { Coordinator, HttpHandler } from '../coordinator/Coordinator';
import { ServerTracker } from '../coordinator/ServerTracker';
import type { WorkerEntry } from '../coordinator/WorkerRegistry';
import type { Log } from '../logging/log';
import { toApiError } from './apiError';
import { type GenerationRequest, parseGenerationRequest, requestedModel } from './parseGenerationRequest';
import { readJsonBody } from './readJsonBody';
import { sendJson } from './respond';
import { StopHoldback } from './StopHoldback';

/** OpenAI's finish reasons: running out of tokens or context is `length`; a stop text or EOS is `stop`. */
function finishReason(r: FinishReason): 'stop' | 'length' {
  return r === 'stop' || r === 'eos' ? 'stop' : 'length';
}

function usage(prompt: number, completion: number) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Options of {@link openAiRoutes}. */
export interface OpenAiRoutesOptions {
  /**
   * Called once per generation that ran to its end (not aborted, not failed)
   * with the API's completion id and the workers of the chain that finished it
   * — where inference rewards are paid.
   */
  onCompleted?(requestId: string, servers: readonly WorkerEntry[]): void;
}

/**
 * The OpenAI-compatible API: `GET /v1/models`, `GET /v1/models/:id`,
 * `POST /v1/completions`, `POST /v1/chat/completions` (SSE streaming and
 * not), over the coordinator's distributed pipelines. Tokenization and
 * sampling happen here, at the requester; the workers only run layers.
 */
export function openAiRoutes(c: Coordinator, log: Log, opts: OpenAiRoutesOptions = {}): HttpHandler {
  return async (req, res, url) => {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/v1/models' && req.method === 'GET') {
      const data = c
        .modelIds()
        .map((id) => ({ id, object: 'model', created: c.model(id).createdAt, owned_by: 'ailo' }));
      sendJson(res, 200, { object: 'list', data });
      return true;
    }
    const one = /^\/v1\/models\/(.+)$/.exec(path);
    if (one && req.method === 'GET') {
      try {
        const m = c.model(decodeURIComponent(one[1]!));
        sendJson(res, 200, { id: m.id, object: 'model', created: m.createdAt, owned_by: 'ailo' });
      } catch (e) {
        fail(res, e);
      }
      return true;
    }
    const kind =
      path === '/v1/completions' ? 'completion' : path === '/v1/chat/completions' ? 'chat' : undefined;
    if (!kind) return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, {
        error: {
          message: `Use POST ${path}`,
          type: 'invalid_request_error',
          param: null,
          code: 'method_not_allowed',
        },
      });
      return true;
    }
    let status = 200;
    try {
      const body = await readJsonBody(req);
      const model = c.model(requestedModel(body));
      const r = parseGenerationRequest(kind, body, model);
      const source = new ServerTracker(c.pipeline(r.model));
      const id = r.stream ? await stream(c, source, req, res, r) : await complete(c, source, req, res, r);
      if (source.servers.length > 0) opts.onCompleted?.(id, source.servers);
    } catch (e) {
      status = fail(res, e);
      if (status >= 500) log.warn({ path, err: (e as Error).message }, 'api request failed');
    }
    c.metrics.requests.inc({ route: path, status: String(status) });
    return true;
  };
}

function fail(res: ServerResponse, e: unknown): number {
  const err = toApiError(e);
  if (res.headersSent) {
    res.end(`data: ${JSON.stringify(err.body)}\n\n`);
  } else {
    sendJson(res, err.status, err.body, err.headers);
  }
  return err.status;
}

/** Aborts when the client goes away. */
function clientSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  req.on('aborted', () => ac.abort());
  return ac.signal;
}

/** Runs a non-streaming request; returns the completion id. */
async function complete(
  c: Coordinator,
  source: ServerTracker,
  req: IncomingMessage,
  res: ServerResponse,
  r: GenerationRequest,
): Promise<string> {
  const model = c.model(r.model);
  const it = generate(source, r.prompt, { ...r.options, signal: clientSignal(req, res) }, model.tokenizer);
  let result: GenerationResult;
  for (;;) {
    const step = await it.next();
    if (step.done) {
      result = step.value;
      break;
    }
  }
  c.metrics.generated.inc(result.ids.length);
  const created = Math.floor(Date.now() / 1000);
  const fr = finishReason(result.finishReason);
  const id = r.kind === 'chat' ? `chatcmpl-${randomUUID()}` : `cmpl-${randomUUID()}`;
  if (r.kind === 'chat') {
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: r.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text, refusal: null },
          logprobs: null,
          finish_reason: fr,
        },
      ],
      usage: usage(r.prompt.length, result.ids.length),
    });
  } else {
    sendJson(res, 200, {
      id,
      object: 'text_completion',
      created,
      model: r.model,
      choices: [{ index: 0, text: result.text, token_ids: result.ids, logprobs: null, finish_reason: fr }],
      usage: usage(r.prompt.length, result.ids.length),
    });
  }
  return id;
}

/** Runs a streaming request; returns the completion id. */
async function stream(
  c: Coordinator,
  source: ServerTracker,
  req: IncomingMessage,
  res: ServerResponse,
  r: GenerationRequest,
): Promise<string> {
  const model = c.model(r.model);
  const signal = clientSignal(req, res);
  const it = generate(source, r.prompt, { ...r.options, signal }, model.tokenizer);
  // the first step runs before headers go out, so routing errors still get a proper status code
  let step = await it.next();
  const id = r.kind === 'chat' ? `chatcmpl-${randomUUID()}` : `cmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const object = r.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ id, object, created, model: r.model, choices, ...extra })}\n\n`);
  const piece = (text: string, finish: string | null) =>
    r.kind === 'chat'
      ? { index: 0, delta: finish ? {} : { content: text }, logprobs: null, finish_reason: finish }
      : { index: 0, text, logprobs: null, finish_reason: finish };
  if (r.kind === 'chat')
    send([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  const hold = new StopHoldback(r.stop);
  while (!step.done) {
    const text = hold.push(step.value.text);
    if (text) send([piece(text, null)]);
    step = await it.next();
  }
  const result = step.value;
  c.metrics.generated.inc(result.ids.length);
  const rest = hold.finish(result.text);
  if (rest) send([piece(rest, null)]);
  send([piece('', finishReason(result.finishReason))]);
  if (r.includeUsage) send([], { usage: usage(r.prompt.length, result.ids.length) });
  res.end('data: [DONE]\n\n');
  return id;
}
