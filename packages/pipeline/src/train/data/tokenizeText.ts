import { encode } from 'gpt-tokenizer/encoding/r50k_base';

/** GPT-2 `<|endoftext|>` id in r50k_base: separates documents in packed streams. */
export const GPT2_EOS_ID = 50256;

/** Text → GPT-2 BPE ids (r50k_base, vocab 50257). Special-token text is encoded as plain text. */
export function tokenizeText(text: string): number[] {
  return encode(text, { disallowedSpecial: new Set() });
}
