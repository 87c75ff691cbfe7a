import { Template } from '@huggingface/jinja';
import { PipelineError } from '../errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

/** ChatML, as Qwen2 instruct models use it (the fallback for the `qwen2` family). */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Plain transcript for base models without a template (the GPT-2 fallback). */
export const PLAIN_TEMPLATE =
  "{% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}{% else %}{{ message['role'] | capitalize }}: {{ message['content'] + '\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

export interface ChatTemplateOptions {
  /** `chat_template` from `tokenizer_config.json`; default by architecture */
  template?: string;
  architecture?: string;
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
}

/** The template a model uses: its own, else ChatML for Qwen2, else a plain transcript. */
export function defaultChatTemplate(architecture: string | undefined): string {
  return architecture === 'qwen2' ? CHATML_TEMPLATE : PLAIN_TEMPLATE;
}

/** Renders chat messages into the prompt text the model was trained on (Jinja, as HF does). */
export function applyChatTemplate(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
  if (messages.length === 0) throw new PipelineError('empty_input', 'A chat needs at least one message');
  const source = opts.template ?? defaultChatTemplate(opts.architecture);
  let template: Template;
  try {
    template = new Template(source);
  } catch (cause) {
    throw new PipelineError('bad_config', 'The chat template does not parse.', {
      details: String((cause as Error).message),
      cause,
    });
  }
  return template.render({
    messages,
    add_generation_prompt: opts.addGenerationPrompt ?? true,
    bos_token: opts.bosToken ?? '',
    eos_token: opts.eosToken ?? '',
  });
}
