import type { HostTensor } from '../backends/backend';
import { DEFAULT_PREFILL_CHUNK } from '../constants';
import { PipelineError } from '../errors';
import type { LogitsSource } from '../runtime/stageChain';
import { checkSampling, type SamplingOptions, sampleToken, seededRandom } from './sampling';
import type { TextTokenizer } from './tokenizer';

export interface GenerateOptions extends SamplingOptions {
  /** tokens to generate at most (default 32) */
  maxTokens?: number;
  /** stop when the generated text contains one of these (the stop text is not returned) */
  stop?: string[];
  /** stop on the tokenizer's EOS id (default true) */
  stopOnEos?: boolean;
  /** prompt tokens per prefill forward (default {@link DEFAULT_PREFILL_CHUNK}) */
  prefillChunk?: number;
  /** session id used for the KV caches (default: random) */
  sessionId?: string;
  signal?: AbortSignal;
}

export type FinishReason = 'length' | 'stop' | 'eos' | 'context';

/** One streamed step: the new token and the text it completes (may be empty mid-character). */
export interface GeneratedToken {
  id: number;
  text: string;
}

export interface GenerationResult {
  ids: number[];
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
}

/**
 * Streams tokens from any {@link LogitsSource} (a local chain or a remote
 * pipeline). The prompt is prefilled once; each further token costs one
 * one-position forward per stage. Returns the final result when done.
 */
export async function* generate(
  source: LogitsSource,
  prompt: number[],
  opts: GenerateOptions = {},
  tokenizer?: TextTokenizer,
): AsyncGenerator<GeneratedToken, GenerationResult, void> {
  checkSampling(opts);
  if (prompt.length === 0) throw new PipelineError('empty_input', 'The prompt has no tokens');
  const max = source.config.maxPositions;
  if (prompt.length > max) {
    throw new PipelineError(
      'context_overflow',
      `The prompt has ${prompt.length} tokens; the model's context is ${max}`,
    );
  }
  const maxTokens = opts.maxTokens ?? 32;
  const sessionId = opts.sessionId ?? `gen-${Math.random().toString(36).slice(2)}`;
  const random = seededRandom(opts.seed ?? 0);
  const ids: number[] = [];
  let emitted = '';
  let finishReason: FinishReason = 'length';
  try {
    // prefill in chunks so the attention-score transient stays chunk × context
    const chunk = Math.max(1, opts.prefillChunk ?? DEFAULT_PREFILL_CHUNK);
    let logits!: HostTensor;
    for (let at = 0; at < prompt.length; at += chunk) {
      const part = prompt.slice(at, at + chunk);
      // only the last position's logits are sampled: the head skips the others
      logits = await source.forward(
        sessionId,
        [part],
        at === 0 ? { lastOnly: true } : { pastLength: at, lastOnly: true },
      );
    }
    const V = source.config.vocabSize;
    while (ids.length < maxTokens) {
      if (opts.signal?.aborted) throw new PipelineError('cancelled', 'Generation cancelled');
      // the last row: a source may return every position despite lastOnly
      const rowStart = (logits.shape[1]! - 1) * V;
      const row = (logits.data as Float32Array).subarray(rowStart, rowStart + V);
      const id = sampleToken(row, opts, [...prompt, ...ids], random);
      if ((opts.stopOnEos ?? true) && tokenizer?.eosTokenId === id) {
        finishReason = 'eos';
        break;
      }
      ids.push(id);
      let piece = '';
      if (tokenizer) {
        const full = tokenizer.decode(ids);
        // hold back an incomplete UTF-8 sequence until its last byte arrives
        if (!full.endsWith('\uFFFD')) {
          piece = full.slice(emitted.length);
          emitted = full;
        }
        const hit = opts.stop?.find((s) => s && emitted.includes(s));
        if (hit) {
          finishReason = 'stop';
          emitted = emitted.slice(0, emitted.indexOf(hit));
          break;
        }
      }
      yield { id, text: piece };
      if (ids.length >= maxTokens) break;
      if (prompt.length + ids.length >= max) {
        finishReason = 'context';
        break;
      }
      logits = await source.forward(sessionId, [[id]], { pastLength: prompt.length + ids.length - 1 });
    }
  } finally {
    await source.close(sessionId);
  }
  return { ids, text: tokenizer ? emitted : '', finishReason, promptTokens: prompt.length };
}

/** Runs {@link generate} to completion. */
export async function generateAll(
  source: LogitsSource,
  prompt: number[],
  opts: GenerateOptions = {},
  tokenizer?: TextTokenizer,
): Promise<GenerationResult> {
  const it = generate(source, prompt, opts, tokenizer);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}
