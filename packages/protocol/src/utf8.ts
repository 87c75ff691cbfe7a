import { ProtocolError } from './ProtocolError';

const textEncoder = new TextEncoder();
// fatal: invalid UTF-8 is a bad frame; ignoreBOM: a leading U+FEFF is content, not a marker.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 byte length of `s`.
 *
 * @throws ProtocolError `bad_request` on a lone surrogate, which has no UTF-8 form.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0xd800 || c > 0xdfff) n += 3;
    else {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) {
        throw new ProtocolError('bad_request', 'string has a lone surrogate', { details: `at index ${i}` });
      }
      n += 4;
      i++;
    }
  }
  return n;
}

/** Writes `s` as UTF-8 at `pos`; the caller reserved exactly `utf8Length(s)` bytes. */
export function writeUtf8(s: string, out: Uint8Array, pos: number): number {
  if (s.length < 64) {
    let p = pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return pos + textEncoder.encodeInto(s, out.subarray(pos)).written;
      out[p++] = c;
    }
    return p;
  }
  return pos + textEncoder.encodeInto(s, out.subarray(pos)).written;
}

/**
 * Reads `length` bytes of UTF-8 at `pos`.
 *
 * @throws ProtocolError `bad_frame` on invalid UTF-8 (overlong forms, surrogates, truncated sequences).
 */
export function readUtf8(bytes: Uint8Array, pos: number, length: number): string {
  if (length < 32) {
    let s = '';
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const c = bytes[pos + i]!;
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      s += String.fromCharCode(c);
    }
    if (ascii) return s;
  }
  try {
    return textDecoder.decode(bytes.subarray(pos, pos + length));
  } catch (cause) {
    throw new ProtocolError('bad_frame', 'invalid UTF-8 in string', { details: `at byte ${pos}`, cause });
  }
}
