import { badParam } from './apiError';

/** One chat message as the API accepts it. */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

/** Stop text added to chat requests: the model starting the next user turn ends its answer. */
export const CHAT_STOP = '\nUser:';

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** Validates `messages` (string content, or text parts) and flattens part arrays. */
export function parseMessages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw badParam('messages must be a non-empty array', 'messages');
  return raw.map((m, i) => {
    const r = m as { role?: unknown; content?: unknown };
    if (typeof r?.role !== 'string' || !ROLES.has(r.role))
      throw badParam(
        `messages[${i}].role must be system, developer, user or assistant`,
        `messages[${i}].role`,
      );
    let content: string;
    if (typeof r.content === 'string') content = r.content;
    else if (
      Array.isArray(r.content) &&
      r.content.every((p) => p?.type === 'text' && typeof p.text === 'string')
    )
      content = r.content.map((p) => p.text).join('');
    else throw badParam(`messages[${i}].content must be a string or text parts`, `messages[${i}].content`);
    return { role: r.role as ChatMessage['role'], content };
  });
}

/**
 * Plain-text chat transcript for models without a chat template (the GPT-2
 * family): system text first, then `User:` / `Assistant:` turns, ending with
 * `Assistant:` for the model to continue.
 */
export function chatPrompt(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') lines.push(m.content, '');
    else lines.push(`${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`);
  }
  lines.push('Assistant:');
  return lines.join('\n');
}
