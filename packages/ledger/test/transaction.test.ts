import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgpackWriter } from '../src/canonicalMsgpack';
import {
  buildTransaction,
  decodeAddress,
  decodeTransaction,
  MAX_TX_BYTES,
  MAX_UINT64,
  type SignedTransaction,
  signTransaction,
  TRANSFER_FEE,
  type TransactionInput,
  transactionFromJson,
  transactionSigningBytes,
  transactionToJson,
  UNITS_PER_ALC,
  verifyTransaction,
} from '../src/index';
import { nodeVerifier } from '../src/node';
import { COORDINATOR, testKey } from './testChain';

const CHAIN = 'ailo-test';
const alice = testKey(1);
const bob = testKey(2);
const base: TransactionInput = {
  type: 'TRANSFER',
  from: alice.address,
  to: bob.address,
  amount: 5n * UNITS_PER_ALC,
  nonce: 7n,
  timestamp: 1_700_000_000_000,
  memo: 'thanks',
};
const sign = (over: Partial<TransactionInput> = {}): SignedTransaction =>
  signTransaction(
    buildTransaction({ ...base, ...over }),
    over.from === COORDINATOR.address ? COORDINATOR : alice,
    CHAIN,
  );

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

/** Wire bytes with hand-written fields (signature bytes are zero: decoding does not verify). */
function craft(write: (w: MsgpackWriter) => void, domain = 'ailo-tx-v1', chain = CHAIN): Uint8Array {
  const w = new MsgpackWriter();
  w.raw(new TextEncoder().encode(`${domain}\u0000${chain}\u0000`));
  write(w);
  w.raw(new Uint8Array(64));
  return w.finish();
}
const fields =
  (over: Partial<Record<string, (w: MsgpackWriter) => void>> = {}, count = 10) =>
  (w: MsgpackWriter) => {
    const order: Array<[string, (w: MsgpackWriter) => void]> = [
      ['type', (x) => x.str('TRANSFER')],
      ['from', (x) => x.bin(decodeAddress(alice.address))],
      ['to', (x) => x.bin(decodeAddress(bob.address))],
      ['amount', (x) => x.uint(5n)],
      ['fee', (x) => x.uint(TRANSFER_FEE)],
      ['nonce', (x) => x.uint(1n)],
      ['timestamp', (x) => x.uint(1_700_000_000_000)],
      ['reason', (x) => x.str('')],
      ['reference', (x) => x.str('')],
      ['memo', (x) => x.str('')],
    ];
    w.array(count);
    for (const [name, f] of order.slice(0, count)) (over[name] ?? f)(w);
    for (let i = order.length; i < count; i++) w.nil();
  };

describe('transaction encoding', () => {
  it('decodes what it signs, with id = sha256(signing bytes ‖ signature)', () => {
    const stx = sign();
    const back = decodeTransaction(stx.bytes, CHAIN);
    expect(back.tx).toEqual(stx.tx);
    expect(back.id).toBe(stx.id);
    expect(back.signingBytes).toEqual(transactionSigningBytes(stx.tx, CHAIN));
    expect(() => verifyTransaction(back)).not.toThrow();
    expect(() => verifyTransaction(back, nodeVerifier)).not.toThrow();
  });

  it('the hand-built field array decodes: craft() matches the spec layout', () => {
    expect(decodeTransaction(craft(fields()), CHAIN).tx).toMatchObject({
      type: 'TRANSFER',
      amount: 5n,
      nonce: 1n,
    });
  });

  it('round-trips JSON with decimal strings for integers', () => {
    const stx = sign({ amount: MAX_UINT64 / 2n ** 8n, memo: 'é ✓ 𝄞' });
    const json = transactionToJson(stx);
    expect(json.amount).toBe((MAX_UINT64 / 2n ** 8n).toString());
    expect(typeof json.nonce).toBe('string');
    const back = transactionFromJson(JSON.parse(JSON.stringify(json)), CHAIN);
    expect(back.bytes).toEqual(stx.bytes);
    expect(() => transactionFromJson({ ...json, id: '00'.repeat(32) }, CHAIN)).toThrowError(
      expect.objectContaining({ code: 'ENCODING_MALFORMED' }),
    );
  });

  it('property: every valid transaction survives encode → decode and JSON unchanged', () => {
    const arb = fc.record({
      amount: fc.bigInt({ min: 1n, max: 10n ** 17n }),
      nonce: fc.bigInt({ min: 0n, max: MAX_UINT64 }),
      timestamp: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      memo: fc.string({ maxLength: 64 }).filter((s) => s.isWellFormed()),
      reference: fc.string({ maxLength: 32 }).filter((s) => s.isWellFormed()),
    });
    fc.assert(
      fc.property(arb, (f) => {
        const stx = sign(f);
        expect(decodeTransaction(stx.bytes, CHAIN).tx).toEqual(stx.tx);
        expect(transactionFromJson(transactionToJson(stx), CHAIN).id).toBe(stx.id);
      }),
      { numRuns: 40 },
    );
  });

  it('a signature over other bytes fails verification with BAD_SIGNATURE', () => {
    const stx = sign();
    const forged = Uint8Array.from(stx.bytes);
    forged[forged.length - 1]! ^= 1;
    expect(code(() => verifyTransaction(decodeTransaction(forged, CHAIN)))).toBe('BAD_SIGNATURE');
    expect(code(() => verifyTransaction(decodeTransaction(forged, CHAIN), nodeVerifier))).toBe(
      'BAD_SIGNATURE',
    );
  });

  it('refuses to sign with a key that is not "from"', () => {
    expect(code(() => signTransaction(buildTransaction(base), bob, CHAIN))).toBe('INVALID_KEY');
  });
});

describe('bad input → typed errors', () => {
  const good = sign();
  const wire: Array<[string, () => Uint8Array, string]> = [
    ['empty', () => new Uint8Array(0), 'ENCODING_TRUNCATED'],
    ['truncated to 5 bytes', () => good.bytes.slice(0, 5), 'ENCODING_TRUNCATED'],
    ['truncated inside the chain id', () => good.bytes.slice(0, 14), 'ENCODING_TRUNCATED'],
    ['truncated by one byte', () => good.bytes.slice(0, -1), 'ENCODING_TRUNCATED'],
    ['truncated by 40 bytes', () => good.bytes.slice(0, -40), 'ENCODING_TRUNCATED'],
    [
      'oversized',
      () => Uint8Array.from([...good.bytes, ...new Uint8Array(MAX_TX_BYTES)]),
      'ENCODING_OVERSIZED',
    ],
    ['one trailing byte', () => Uint8Array.from([...good.bytes, 0]), 'ENCODING_MALFORMED'],
    ['wrong domain tag', () => craft(fields(), 'ailo-tx-v2'), 'WRONG_DOMAIN'],
    ['block domain tag', () => craft(fields(), 'ailo-block-v1'), 'WRONG_DOMAIN'],
    ['wrong chain id', () => craft(fields(), 'ailo-tx-v1', 'ailo-main'), 'WRONG_CHAIN'],
    [
      'non-canonical amount (uint16 for 5)',
      () => craft(fields({ amount: (w) => w.raw(Uint8Array.of(0xcd, 0, 5)) })),
      'ENCODING_NON_CANONICAL',
    ],
    [
      'non-canonical nonce (uint64 for 1)',
      () => craft(fields({ nonce: (w) => w.raw(Uint8Array.of(0xcf, 0, 0, 0, 0, 0, 0, 0, 1)) })),
      'ENCODING_NON_CANONICAL',
    ],
    [
      'non-canonical memo header (str8 for "")',
      () => craft(fields({ memo: (w) => w.raw(Uint8Array.of(0xd9, 0)) })),
      'ENCODING_NON_CANONICAL',
    ],
    [
      'negative amount (int8 -1)',
      () => craft(fields({ amount: (w) => w.raw(Uint8Array.of(0xff)) })),
      'ENCODING_MALFORMED',
    ],
    [
      'float amount',
      () => craft(fields({ amount: (w) => w.raw(Uint8Array.of(0xca, 0x40, 0xa0, 0, 0)) })),
      'ENCODING_MALFORMED',
    ],
    ['amount 0', () => craft(fields({ amount: (w) => w.uint(0n) })), 'INVALID_AMOUNT'],
    [
      'amount 2^64 - 1 (above the supply cap)',
      () => craft(fields({ amount: (w) => w.uint(MAX_UINT64) })),
      'INVALID_AMOUNT',
    ],
    ['fee 0 on a TRANSFER', () => craft(fields({ fee: (w) => w.uint(0n) })), 'INVALID_FEE'],
    ['memo of 257 bytes', () => craft(fields({ memo: (w) => w.str('m'.repeat(257)) })), 'MEMO_TOO_LONG'],
    ['unknown type', () => craft(fields({ type: (w) => w.str('BURN') })), 'UNKNOWN_TYPE'],
    ['type in lower case', () => craft(fields({ type: (w) => w.str('transfer') })), 'UNKNOWN_TYPE'],
    ['9 fields', () => craft(fields({}, 9)), 'ENCODING_MALFORMED'],
    ['11 fields', () => craft(fields({}, 11)), 'ENCODING_MALFORMED'],
    ['31-byte from', () => craft(fields({ from: (w) => w.bin(new Uint8Array(31)) })), 'ENCODING_MALFORMED'],
    [
      'recipient on a VERIFY',
      () =>
        craft(fields({ type: (w) => w.str('VERIFY'), amount: (w) => w.uint(0n), fee: (w) => w.uint(0n) })),
      'INVALID_ADDRESS',
    ],
    [
      'sender = recipient',
      () => craft(fields({ to: (w) => w.bin(decodeAddress(alice.address)) })),
      'SELF_TRANSFER',
    ],
    [
      'recipient not a valid key (small order)',
      () => craft(fields({ to: (w) => w.bin(Uint8Array.of(1, ...new Uint8Array(31))) })),
      'INVALID_ADDRESS',
    ],
    [
      'timestamp above 2^53',
      () => craft(fields({ timestamp: (w) => w.uint(2n ** 60n) })),
      'ENCODING_MALFORMED',
    ],
    ['reason on a TRANSFER', () => craft(fields({ reason: (w) => w.str('training') })), 'INVALID_REASON'],
    [
      'invalid UTF-8 memo',
      () => craft(fields({ memo: (w) => w.raw(Uint8Array.of(0xa2, 0xc3, 0x28)) })),
      'ENCODING_MALFORMED',
    ],
  ];
  it.each(wire)('wire: %s → %s', (_name, bytes, expected) => {
    expect(code(() => decodeTransaction(bytes(), CHAIN))).toBe(expected);
  });

  const built: Array<[string, Partial<TransactionInput>, string]> = [
    ['amount 0', { amount: 0n }, 'INVALID_AMOUNT'],
    ['negative amount', { amount: -1n }, 'INVALID_AMOUNT'],
    ['amount 2^64', { amount: 2n ** 64n }, 'INVALID_AMOUNT'],
    ['amount 2^64 + 1', { amount: 2n ** 64n + 1n }, 'INVALID_AMOUNT'],
    ['fee other than 0.01 ALC', { fee: TRANSFER_FEE + 1n }, 'INVALID_FEE'],
    ['memo of 129 two-byte characters', { memo: 'é'.repeat(129) }, 'MEMO_TOO_LONG'],
    ['memo with a lone surrogate', { memo: '\ud800' }, 'ENCODING_MALFORMED'],
    ['reference of 129 bytes', { reference: 'r'.repeat(129) }, 'INVALID_REFERENCE'],
    ['unknown type', { type: 'BURN' as never }, 'UNKNOWN_TYPE'],
    ['negative nonce', { nonce: -1n }, 'INVALID_NONCE'],
    ['nonce 2^64', { nonce: 2n ** 64n }, 'INVALID_NONCE'],
    ['fractional timestamp', { timestamp: 1.5 }, 'INVALID_TIMESTAMP'],
    ['bad recipient address', { to: 'ailo1xyz' as never }, 'INVALID_ADDRESS'],
    [
      'MINT without reason',
      { type: 'MINT', from: COORDINATOR.address, fee: 0n, reference: 'round-1' },
      'INVALID_REASON',
    ],
    [
      'MINT with unknown reason',
      { type: 'MINT', from: COORDINATOR.address, fee: 0n, reason: 'gift' as never, reference: 'r' },
      'INVALID_REASON',
    ],
    [
      'MINT without reference',
      { type: 'MINT', from: COORDINATOR.address, fee: 0n, reason: 'training' },
      'INVALID_REFERENCE',
    ],
    [
      'VERIFY of a non-id',
      { type: 'VERIFY', to: null, amount: 0n, fee: 0n, reference: 'abc' },
      'INVALID_REFERENCE',
    ],
    [
      'REGISTER with upper case',
      { type: 'REGISTER', to: null, amount: 0n, fee: 0n, reference: 'Alice' },
      'INVALID_USERNAME',
    ],
    [
      'REGISTER with 2 characters',
      { type: 'REGISTER', to: null, amount: 0n, fee: 0n, reference: 'al' },
      'INVALID_USERNAME',
    ],
    [
      'REGISTER with 33 characters',
      { type: 'REGISTER', to: null, amount: 0n, fee: 0n, reference: 'a'.repeat(33) },
      'INVALID_USERNAME',
    ],
  ];
  it.each(built)('build: %s → %s', (_name, over, expected) => {
    expect(code(() => buildTransaction({ ...base, ...over }))).toBe(expected);
  });

  it('invalid chain ids are refused when signing', () => {
    for (const chain of ['', 'Ailo', 'ailo test', 'a'.repeat(65), '-ailo']) {
      expect(code(() => signTransaction(buildTransaction(base), alice, chain))).toBe('INVALID_CHAIN_ID');
    }
  });
});
