import { CHAT_MAX_TOKENS } from '../constants';
import { WebUiError } from '../errors';

/**
 * Streams a greedy completion of `prompt` by `model` from the coordinator's OpenAI API
 * (`POST /v1/completions`, `stream: true`, temperature 0): the model runs
 * distributed over the network's workers. Yields text pieces as they arrive.
 * @throws WebUiError `coordinator_unreachable` (no answer), `bad_response` (an API error, with its message).
 */
export async function* streamCompletion(
  httpBase: string,
  model: string,
  prompt: string,
  signal: AbortSignal,
  maxTokens = CHAT_MAX_TOKENS,
): AsyncGenerator<string> {
  let res: Response;
  try {
    res = await fetch(`${httpBase}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, prompt, max_tokens: maxTokens, temperature: 0, stream: true }),
      signal,
    });
  } catch (cause) {
    if (signal.aborted) return;
    throw new WebUiError('coordinator_unreachable', 'Coordinator unreachable: cannot start the generation', {
      cause,
    });
  }
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new WebUiError('bad_response', body?.error?.message ?? `The API answered ${res.status}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const event = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = event.replace(/^data: ?/, '');
        if (data === '[DONE]') return;
        const j = JSON.parse(data) as { choices?: { text?: string }[]; error?: { message?: string } };
        if (j.error) throw new WebUiError('bad_response', j.error.message ?? 'generation failed');
        const text = j.choices?.[0]?.text;
        if (text) yield text;
      }
    }
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  } finally {
    reader.releaseLock();
  }
}
