import type { Architecture } from './config';
import type { Family } from './family';
import { gpt2 } from './gpt2';
import { llama } from './llama';

/** Model families by architecture; Qwen2 is Llama with QKV bias (set by the config). */
export const FAMILIES: Record<Architecture, Family> = { gpt2, llama, qwen2: llama };
