import fc from 'fast-check';

/**
 * Byte-level mutations of seed encodings (golden vectors, fixture files, freshly encoded values).
 * Positions are drawn as plain naturals and reduced modulo the current length when applied, so
 * fast-check can shrink a failing case towards the first byte and the smallest change.
 */
export type ByteMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'duplicate'; from: number; count: number; at: number }
  | { kind: 'splice'; seed: number; from: number; count: number; at: number }
  | { kind: 'word'; at: number; width: 1 | 2 | 4 | 8; value: bigint; littleEndian: boolean }
  | { kind: 'append'; bytes: Uint8Array };

/**
 * Bytes that mean something to our formats: MessagePack type bytes (fix/8/16/32 headers, nil,
 * 0xc1 which is never valid, ext), JSON structure, and the edges of signed and unsigned ranges.
 */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x02, 0x07, 0x08, 0x0f, 0x10, 0x1f, 0x20, 0x22, 0x2c, 0x3a, 0x5b, 0x5d, 0x7b, 0x7d, 0x7f, 0x80,
  0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc,
  0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd4, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xfe, 0xff,
];

/** Length fields and counters at their edges: 0, 2^k ± 1, 2^31, 2^32 − 1, 2^53, 2^64 − 1. */
const INTERESTING_WORDS = [
  0n,
  1n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x1_0000n,
  0x7fff_ffffn,
  0x8000_0000n,
  0xffff_ffffn,
  0x1_0000_0000n,
  (1n << 53n) - 1n,
  1n << 53n,
  (1n << 63n) - 1n,
  1n << 63n,
  (1n << 64n) - 1n,
];

const position = fc.nat({ max: 1 << 20 });
const byte = fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 }));
const fewBytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });
const word = fc.oneof(fc.constantFrom(...INTERESTING_WORDS), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));

/** One mutation; `seeds` is the number of seeds a splice may take bytes from. */
export function byteMutation(seeds: number): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) },
    {
      weight: 4,
      arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
    },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: byte }) },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fewBytes(16) }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('delete' as const),
        at: position,
        count: fc.integer({ min: 1, max: 16 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('duplicate' as const),
        from: position,
        count: fc.integer({ min: 1, max: 64 }),
        at: position,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('splice' as const),
        seed: fc.nat({ max: Math.max(0, seeds - 1) }),
        from: position,
        count: fc.integer({ min: 1, max: 64 }),
        at: position,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('word' as const),
        at: position,
        width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
        value: word,
        littleEndian: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fewBytes(32) }) },
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Applies one mutation to a copy of `bytes`. */
export function applyByteMutation(
  bytes: Uint8Array,
  m: ByteMutation,
  seeds: readonly Uint8Array[],
): Uint8Array {
  const n = bytes.length;
  const at = (p: number, span = n) => (span === 0 ? 0 : p % span);
  switch (m.kind) {
    case 'truncate':
      return bytes.slice(0, at(m.at, n + 1));
    case 'flip': {
      if (n === 0) return bytes.slice();
      const out = bytes.slice();
      out[at(m.at)]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return Uint8Array.of(m.value);
      const out = bytes.slice();
      out[at(m.at)] = m.value;
      return out;
    }
    case 'insert': {
      const p = at(m.at, n + 1);
      return concat(bytes.subarray(0, p), m.bytes, bytes.subarray(p));
    }
    case 'delete': {
      const p = at(m.at);
      return concat(bytes.subarray(0, p), bytes.subarray(Math.min(n, p + m.count)));
    }
    case 'duplicate': {
      const from = at(m.from);
      const p = at(m.at, n + 1);
      return concat(bytes.subarray(0, p), bytes.subarray(from, from + m.count), bytes.subarray(p));
    }
    case 'splice': {
      const other = seeds[m.seed % Math.max(1, seeds.length)] ?? bytes;
      const from = at(m.from, other.length);
      const p = at(m.at, n + 1);
      return concat(bytes.subarray(0, p), other.subarray(from, from + m.count), bytes.subarray(p));
    }
    case 'word': {
      const out = bytes.slice();
      if (n === 0) return out;
      const p = at(m.at);
      for (let i = 0; i < m.width && p + i < n; i++) {
        const shift = BigInt(8 * (m.littleEndian ? i : m.width - 1 - i));
        out[p + i] = Number((m.value >> shift) & 0xffn);
      }
      return out;
    }
    case 'append':
      return concat(bytes, m.bytes);
  }
}

/**
 * A seed from `seeds` with one to four mutations applied in turn (mostly one: most real
 * corruptions are single, and a single change reaches deeper than a pile of them).
 */
export function mutatedBytes(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new Error('mutatedBytes needs at least one seed');
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.oneof(
        { weight: 6, arbitrary: fc.array(byteMutation(seeds.length), { minLength: 1, maxLength: 1 }) },
        { weight: 3, arbitrary: fc.array(byteMutation(seeds.length), { minLength: 2, maxLength: 4 }) },
      ),
    )
    .map(([i, mutations]) => mutations.reduce((b, m) => applyByteMutation(b, m, seeds), seeds[i]!));
}

/** Uniformly random bytes, up to `maxLength` long. */
export function randomBytes(maxLength = 512): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength });
}

/** Every proper prefix of `bytes` (length 0 … n − 1): truncation at every length. */
export function* prefixes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(0, i);
}
