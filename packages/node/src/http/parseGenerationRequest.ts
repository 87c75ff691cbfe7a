import type { GenerateOptions } from '@ailo/pipeline';
import { MAX_COMPLETION_TOKENS } from '../constants';
import type { ServedModel } from '../coordinator/ServedModel';
import { badParam } from './apiError';
import { CHAT_STOP, chatPrompt, parseMessages } from './chatPrompt';

/** A validated `/v1/completions` or `/v1/chat/completions` request, tokenized. */
export interface GenerationRequest {
  kind: 'completion' | 'chat';
  model: string;
  prompt: number[];
  /** stop texts the client sees as `finish_reason: "stop"` */
  stop: string[];
  options: GenerateOptions;
  stream: boolean;
  includeUsage: boolean;
}

const DEFAULT_COMPLETION_TOKENS = 16; // OpenAI's default for /v1/completions
const DEFAULT_CHAT_TOKENS = 128;
const MAX_STOPS = 4; // OpenAI's limit

function num(
  body: Record<string, unknown>,
  key: string,
  lo: number,
  hi: number,
  int = false,
): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))) {
    throw badParam(`${key} must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]`, key);
  }
  return v;
}

/** The model named by a request body. */
export function requestedModel(raw: unknown): string {
  const body = raw as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badParam('The request body must be a JSON object', null);
  if (typeof body.model !== 'string' || body.model === '')
    throw badParam('model is required', 'model', 'missing_required_parameter');
  return body.model;
}

function promptIds(raw: unknown, model: ServedModel): number[] {
  const tok = model.tokenizer;
  const V = model.config.vocabSize;
  let p = raw;
  if (Array.isArray(p) && p.length === 1 && (typeof p[0] === 'string' || Array.isArray(p[0]))) p = p[0];
  if (typeof p === 'string') {
    if (!tok) throw badParam(`${model.id} has no tokenizer: send prompt as an array of token ids`, 'prompt');
    return tok.encode(p);
  }
  if (Array.isArray(p) && p.every((x) => typeof x === 'number')) {
    for (const id of p as number[])
      if (!Number.isInteger(id) || id < 0 || id >= V)
        throw badParam(`Token id ${id} is outside the vocabulary [0, ${V})`, 'prompt');
    return p as number[];
  }
  if (Array.isArray(p)) throw badParam('Only one prompt per request is supported', 'prompt');
  throw badParam('prompt must be a string or an array of token ids', 'prompt');
}

/**
 * Validates a request body against OpenAI's parameters that this server
 * supports (`n` must be 1; `logprobs`, tools and function calls are refused)
 * and tokenizes its prompt.
 * @throws NodeError `bad_request` with `param` naming the field.
 */
export function parseGenerationRequest(
  kind: 'completion' | 'chat',
  raw: unknown,
  model: ServedModel,
): GenerationRequest {
  const body = raw as Record<string, unknown>;
  num(body, 'n', 1, 1, true); // one choice per request
  for (const k of ['logprobs', 'top_logprobs', 'tools', 'functions', 'best_of', 'echo', 'suffix']) {
    if (body[k] !== undefined && body[k] !== null && body[k] !== false && !(k === 'best_of' && body[k] === 1))
      throw badParam(`${k} is not supported`, k, 'unsupported_parameter');
  }
  let prompt: number[];
  const stop: string[] = [];
  if (kind === 'chat') {
    const messages = parseMessages(body.messages);
    if (!model.tokenizer)
      throw badParam(`${model.id} has no tokenizer: use /v1/completions with token ids`, 'messages');
    prompt = model.tokenizer.encode(chatPrompt(messages));
    stop.push(CHAT_STOP);
  } else {
    prompt = promptIds(body.prompt, model);
  }
  if (prompt.length === 0) throw badParam('The prompt is empty', kind === 'chat' ? 'messages' : 'prompt');
  const ctx = model.config.maxPositions;
  if (prompt.length >= ctx) {
    throw badParam(
      `The prompt has ${prompt.length} tokens; ${model.id} has a context of ${ctx}`,
      kind === 'chat' ? 'messages' : 'prompt',
      'context_length_exceeded',
    );
  }
  const rawStop = body.stop;
  if (typeof rawStop === 'string') stop.push(rawStop);
  else if (
    Array.isArray(rawStop) &&
    rawStop.length <= MAX_STOPS &&
    rawStop.every((s) => typeof s === 'string')
  )
    stop.push(...rawStop);
  else if (rawStop !== undefined && rawStop !== null)
    throw badParam(`stop must be a string or up to ${MAX_STOPS} strings`, 'stop');
  const maxKey =
    kind === 'chat' && body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const requested = num(body, maxKey, 1, MAX_COMPLETION_TOKENS, true);
  const maxTokens = Math.min(
    requested ?? (kind === 'chat' ? DEFAULT_CHAT_TOKENS : DEFAULT_COMPLETION_TOKENS),
    ctx - prompt.length,
  );
  const temperature = num(body, 'temperature', 0, 2);
  const topP = num(body, 'top_p', Number.MIN_VALUE, 1);
  const seed = num(body, 'seed', -(2 ** 53), 2 ** 53, true);
  const options: GenerateOptions = { maxTokens };
  if (temperature === 0) options.greedy = true;
  else if (temperature !== undefined) options.temperature = temperature;
  if (topP !== undefined) options.topP = topP;
  if (seed !== undefined) options.seed = seed;
  if (stop.length) options.stop = stop;
  if (body.stream !== undefined && typeof body.stream !== 'boolean')
    throw badParam('stream must be a boolean', 'stream');
  const so = body.stream_options as { include_usage?: unknown } | undefined | null;
  return {
    kind,
    model: model.id,
    prompt,
    stop,
    options,
    stream: body.stream === true,
    includeUsage: so?.include_usage === true,
  };
}
