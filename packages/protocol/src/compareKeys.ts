/**
 * Orders map keys by their UTF-8 bytes (spec §3.2 canonical encoding). JavaScript compares UTF-16
 * code units, which differs from UTF-8 byte order only between surrogates (U+D800–DFFF) and
 * U+E000–U+FFFF; this maps code units so that surrogate pairs sort after the BMP.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
