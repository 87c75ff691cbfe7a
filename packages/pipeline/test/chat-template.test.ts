import { describe, expect, it } from 'vitest';
import { applyChatTemplate } from '../src/index';

const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hi' },
];

describe('chat templates', () => {
  it('Qwen2 falls back to ChatML', () => {
    expect(applyChatTemplate(messages, { architecture: 'qwen2' })).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });
  it('GPT-2 falls back to a plain transcript', () => {
    expect(applyChatTemplate(messages, { architecture: 'gpt2' })).toBe(
      'You are terse.\n\nUser: Hi\nAssistant:',
    );
  });
  it('uses the model’s own chat_template with bos/eos tokens', () => {
    const template =
      '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}';
    expect(applyChatTemplate(messages, { template, bosToken: '<s>', eosToken: '</s>' })).toBe(
      '<s>[system]You are terse.</s>[user]Hi</s>',
    );
  });
  it('bad templates and empty chats are typed errors', () => {
    expect(() => applyChatTemplate(messages, { template: '{% for %}' })).toThrowError(
      expect.objectContaining({ code: 'bad_config' }),
    );
    expect(() => applyChatTemplate([])).toThrowError(expect.objectContaining({ code: 'empty_input' }));
  });
});
