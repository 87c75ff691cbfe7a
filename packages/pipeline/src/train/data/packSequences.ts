import { PipelineError } from '../../errors';

export interface PackOptions {
  /** tokens per sequence (≥ 2: one input and one target) */
  seq: number;
  /** id inserted between documents (e.g. GPT-2 `<|endoftext|>`); none by default */
  separator?: number;
  /** keep a final partial sequence of ≥ 2 tokens (it is padded when batched); default true */
  keepRemainder?: boolean;
}

/**
 * Concatenates tokenized documents (with an optional separator between them)
 * and cuts the stream into sequences of `seq` tokens. Every sequence is
 * `seq` long except possibly the last.
 */
export function packSequences(documents: readonly ArrayLike<number>[], opts: PackOptions): Int32Array[] {
  const { seq } = opts;
  if (!(Number.isInteger(seq) && seq >= 2))
    throw new PipelineError('bad_input', `seq must be an integer >= 2, got ${seq}`);
  let total = 0;
  for (const d of documents) total += d.length;
  const sepCount = opts.separator === undefined ? 0 : Math.max(0, documents.length - 1);
  const stream = new Int32Array(total + sepCount);
  let at = 0;
  documents.forEach((d, i) => {
    if (i > 0 && opts.separator !== undefined) stream[at++] = opts.separator;
    stream.set(d, at);
    at += d.length;
  });
  const out: Int32Array[] = [];
  for (let s = 0; s + seq <= stream.length; s += seq) out.push(stream.slice(s, s + seq));
  const rest = stream.length % seq;
  if ((opts.keepRemainder ?? true) && rest >= 2) out.push(stream.slice(stream.length - rest));
  return out;
}
