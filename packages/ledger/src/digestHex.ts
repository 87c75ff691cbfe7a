const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const ascii = new TextDecoder();
let chars = new Uint8Array(64);

/**
 * Lowercase hex of `bytes` (e.g. a 32-byte digest → 64 characters), built as one flat string:
 * ids are hashed as map keys right away, so this beats concatenating two-character pieces.
 * Same output as `bytesToHex` of `@noble/hashes`.
 */
export function digestHex(bytes: Uint8Array): string {
  const n = bytes.length * 2;
  if (chars.length < n) chars = new Uint8Array(n);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    chars[2 * i] = HEX_DIGITS[b >> 4]!;
    chars[2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
  return ascii.decode(chars.subarray(0, n));
}
