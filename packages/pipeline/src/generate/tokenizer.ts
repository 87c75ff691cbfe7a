import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { decode as r50kDecode, encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';

/** Text ↔ token ids. */
export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** end-of-sequence id, if the model has one */
  eosTokenId?: number;
}

/** GPT-2 byte-level BPE (`r50k_base`, vocab 50257, EOS `<|endoftext|>` = 50256). */
export function gpt2Tokenizer(): TextTokenizer {
  return {
    encode: (text) => r50kEncode(text, { allowedSpecial: new Set(['<|endoftext|>']) }),
    decode: (ids) => r50kDecode(ids as number[]),
    eosTokenId: 50256,
  };
}

/** A tokenizer from HF `tokenizer.json` (+ `tokenizer_config.json`) via `@huggingface/tokenizers`. */
export function tokenizerFromJson(
  tokenizerJson: object,
  tokenizerConfig: Record<string, unknown> = {},
): TextTokenizer {
  const tok = new HfTokenizer(tokenizerJson as never, tokenizerConfig as never);
  const eos = tokenizerConfig.eos_token;
  const eosText = typeof eos === 'string' ? eos : (eos as { content?: string } | undefined)?.content;
  const eosId = eosText !== undefined ? tok.token_to_id(eosText) : undefined;
  const t: TextTokenizer = {
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) => tok.decode(ids as number[], { skip_special_tokens: true }),
  };
  if (typeof eosId === 'number') t.eosTokenId = eosId;
  return t;
}
