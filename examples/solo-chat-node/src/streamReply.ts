import {
  type GeneratedToken,
  type GenerateOptions,
  type GenerationResult,
  generate,
  type LogitsSource,
  type TextTokenizer,
} from '@ailo/pipeline';

/** A streamed reply: every step as it arrived, the final result, and the decode speed. */
export interface StreamedReply {
  tokens: GeneratedToken[];
  result: GenerationResult;
  /** generated tokens per second, prefill included */
  tokensPerSecond: number;
}

/**
 * Streams a reply from `source` (a local `StageChain` here; a remote pipeline implements the
 * same `LogitsSource`), calling `onToken` for each token as soon as it is sampled.
 */
export async function streamReply(
  source: LogitsSource,
  prompt: number[],
  opts: GenerateOptions,
  onToken: (t: GeneratedToken) => void,
  tokenizer?: TextTokenizer,
): Promise<StreamedReply> {
  const tokens: GeneratedToken[] = [];
  const started = performance.now();
  const it = generate(source, prompt, opts, tokenizer);
  for (;;) {
    const step = await it.next();
    if (step.done) {
      const seconds = (performance.now() - started) / 1000;
      return { tokens, result: step.value, tokensPerSecond: step.value.ids.length / seconds };
    }
    tokens.push(step.value);
    onToken(step.value);
  }
}
