/**
 * Fuzzing of every decoder in this package (docs/reliability.md, "Fuzzing"): frames, envelopes,
 * the tensor extension, message bodies and the hello handshake get structured, mutated and random
 * bytes. For any input a decoder returns a value or throws a ProtocolError with a code documented
 * for it — never another exception, never a hang, never an allocation out of proportion to the
 * input; valid encodings round-trip. Size: `AILO_FUZZ_RUNS` cases per decoder (CI default is
 * small; `node scripts/fuzz.mjs` runs 100 000).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatedBytes, prefixes, randomBytes } from '../../../scripts/fuzz/byteMutations';
import { fuzzDecoder } from '../../../scripts/fuzz/fuzzDecoder';
import { runsFor } from '../../../scripts/fuzz/fuzzSettings';
import { typedBy } from '../../../scripts/fuzz/typedBy';
import { TENSOR_EXT_TYPE } from '../src/constants';
import { decodeValue } from '../src/decodeValue';
import { DTYPE_ARRAY, itemBytes } from '../src/dtype';
import { encodeValue } from '../src/encodeValue';
import { decodeEnvelope, type Envelope, encodeEnvelope } from '../src/envelope';
import { createChallenge } from '../src/handshake/createChallenge';
import { createIdentity } from '../src/handshake/identity';
import { SeenNonces } from '../src/handshake/SeenNonces';
import { type Hello, signHello } from '../src/handshake/signHello';
import { verifyHello } from '../src/handshake/verifyHello';
import { DEFAULT_LIMITS, type Limits, resolveLimits } from '../src/limits';
import { decodeMessage, encodeMessage } from '../src/message';
import { CATALOGUE } from '../src/messages/catalogue';
import { ProtocolError } from '../src/ProtocolError';
import { elementCount, isTensor, type Tensor } from '../src/tensor';
import { arbitraryOf, tensorArb } from './arbitraries';
import { unhex } from './codeOf';

const VECTOR_DIR = join(import.meta.dirname, '..', '..', '..', 'spec', 'vectors', 'protocol');
const VECTORS = readdirSync(VECTOR_DIR)
  .filter((f) => f.endsWith('.json'))
  .flatMap(
    (f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as Array<{ name: string; hex: string }>,
  );
/** Every golden frame, valid and invalid: the seeds of the byte mutations. */
const GOLDEN = VECTORS.map((v) => unhex(v.hex));

/** Codes each decoder documents (its `@throws`). */
const ENVELOPE_CODES = ['too_large', 'bad_frame', 'version_mismatch'];
const MESSAGE_CODES = [...ENVELOPE_CODES, 'unsupported', 'bad_request'];
const VALUE_CODES = ['too_large', 'bad_frame'];
const HELLO_CODES = [...MESSAGE_CODES, 'bad_signature', 'unauthorized'];

/** A frame to decode; `original` is set when the bytes are an unmodified encoding of it. */
interface FrameCase {
  bytes: Uint8Array;
  original?: Envelope;
  /** decoder limits, when not the defaults (always at or below them) */
  limits?: Limits;
}

/** Valid envelopes of every catalogue type, bodies drawn from their schemas. */
const validEnvelope: fc.Arbitrary<Envelope> = fc.oneof(
  ...CATALOGUE.map((spec) =>
    fc
      .record({
        body: arbitraryOf(spec.schema),
        id: fc.nat({ max: 0xffff_ffff }),
        re: fc.option(fc.nat({ max: 0xffff_ffff }), { nil: undefined }),
      })
      .map(({ body, id, re }) => {
        const env: Envelope = { v: 1, t: spec.type, id, body: body as Record<string, unknown> };
        if (re !== undefined) env.re = re;
        return env;
      }),
  ),
);

const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const bigLength = fc.constantFrom(0xffff_ffff, 0x8000_0000, 0x7fff_ffff, 0x1_0000, 0x4000_0001, 65_537);

/**
 * MessagePack bombs inside an otherwise valid ping envelope: deep nesting, collections and
 * strings declaring huge lengths, and tensors whose dims multiply past 2^53.
 */
const bombBody: fc.Arbitrary<number[]> = fc.oneof(
  fc.nat({ max: 400 }).map((depth) => [...new Array<number>(depth).fill(0x91), 0x00]),
  fc.nat({ max: 200 }).map((depth) => [...new Array(depth).fill([0x81, 0xa1, 0x61]).flat(), 0x00]),
  fc
    .tuple(fc.constantFrom(0xdd, 0xdf, 0xdb, 0xc6), bigLength, fc.uint8Array({ maxLength: 8 }))
    .map(([tag, n, rest]) => [tag, ...u32be(n), ...rest]),
  fc.tuple(fc.nat({ max: 8 }), fc.constantFrom(0xffff_ffff, 0x1_0000, 0x8000, 0)).map(([ndim, dim]) => {
    const payload = [0, ndim, ...new Array(ndim).fill([dim, dim >>> 8, dim >>> 16, dim >>> 24]).flat()];
    return [0xc7, payload.length & 0xff, TENSOR_EXT_TYPE, ...payload];
  }),
);

/** `{v:1,t:'ping',id:1,body:{ts:0,x:<bomb>}}`, keys in canonical order. */
function pingWith(bomb: number[]): Uint8Array {
  const head = [0x84, 0xa4, ...Buffer.from('body'), 0x82, 0xa2, ...Buffer.from('ts'), 0x00, 0xa1, 0x78];
  const tail = [0xa2, ...Buffer.from('id'), 0x01, 0xa1, 0x74, 0xa4, ...Buffer.from('ping'), 0xa1, 0x76, 0x01];
  return Uint8Array.from([...head, ...bomb, ...tail]);
}

const frames: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 2, arbitrary: validEnvelope.map((env) => ({ bytes: encodeMessage(env), original: env })) },
  {
    weight: 3,
    arbitrary: validEnvelope.chain((env) =>
      mutatedBytes([encodeMessage(env), ...GOLDEN]).map((bytes) => ({ bytes })),
    ),
  },
  { weight: 4, arbitrary: mutatedBytes(GOLDEN).map((bytes) => ({ bytes })) },
  { weight: 1, arbitrary: bombBody.map((b) => ({ bytes: pingWith(b) })) },
  { weight: 1, arbitrary: randomBytes(512).map((bytes) => ({ bytes })) },
);

/** Small limits, each at or below its default, so frames hit them (and a frame accepted under them is accepted under the defaults). */
const smallLimits: fc.Arbitrary<Limits> = fc
  .record(
    {
      maxFrameBytes: fc.integer({ min: 1, max: 512 }),
      maxTensorElements: fc.integer({ min: 1, max: 64 }),
      maxCollectionLength: fc.integer({ min: 1, max: 16 }),
      maxDepth: fc.integer({ min: 1, max: DEFAULT_LIMITS.maxDepth }),
      maxStringBytes: fc.integer({ min: 1, max: 64 }),
    },
    { requiredKeys: [] },
  )
  .map((partial) => resolveLimits(partial));

/** Frames decoded under the default limits, or under small random ones (a third of the cases). */
const framesUnderLimits: fc.Arbitrary<FrameCase> = fc.oneof(
  { weight: 2, arbitrary: frames },
  { weight: 1, arbitrary: fc.tuple(frames, smallLimits).map(([c, limits]) => ({ ...c, limits })) },
);

const truncatedFrames: FrameCase[] = GOLDEN.slice(0, 12).flatMap((g) =>
  [...prefixes(g)].map((bytes) => ({ bytes })),
);

/** decode(encode(x)) = x for the original, and anything accepted re-encodes to the same value. */
function roundTrips(
  decode: (b: Uint8Array) => Envelope,
  encode: (e: Envelope) => Uint8Array,
): (value: unknown, input: FrameCase) => void {
  return (value, input) => {
    const env = value as Envelope;
    if (input.original !== undefined) expect(env).toEqual(input.original); // generated bodies have a null prototype // generated bodies have a null prototype
    const again = encode(env);
    expect(decode(again)).toStrictEqual(env);
    expect(encode(decode(again))).toStrictEqual(again); // canonical form is a fixed point
  };
}

const mustAcceptOriginal = (error: unknown, input: FrameCase) => {
  if (input.original !== undefined && input.limits === undefined) {
    throw new Error('a valid encoding was rejected', { cause: error });
  }
};

describe('fuzz: frames and envelopes', () => {
  it('protocol.decodeEnvelope: typed errors only, bounded memory; accepted frames re-encode', () => {
    const stats = fuzzDecoder(
      {
        name: 'protocol.decodeEnvelope',
        inputs: framesUnderLimits,
        sizeOf: (c) => c.bytes.length,
        decode: (c) => decodeEnvelope(c.bytes, c.limits),
        typedCode: typedBy(ProtocolError, 'ProtocolError', ENVELOPE_CODES),
        onAccepted: roundTrips(decodeEnvelope, encodeEnvelope),
        onRejected: mustAcceptOriginal,
      },
      truncatedFrames,
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes).sort()).toEqual(expect.arrayContaining(['bad_frame', 'too_large']));
  });

  it('protocol.decodeMessage: envelope + body schema, typed errors only; valid messages round-trip', () => {
    const stats = fuzzDecoder(
      {
        name: 'protocol.decodeMessage',
        inputs: frames,
        sizeOf: (c) => c.bytes.length,
        decode: (c) => decodeMessage(c.bytes),
        typedCode: typedBy(ProtocolError, 'ProtocolError', MESSAGE_CODES),
        onAccepted: roundTrips(decodeMessage, encodeMessage),
        onRejected: mustAcceptOriginal,
      },
      truncatedFrames,
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(expect.arrayContaining(['bad_frame', 'bad_request']));
  });
});

/** A tensor extension value, as bytes placed at `shift` bytes past an 8-aligned offset. */
interface TensorCase {
  bytes: Uint8Array;
  inPlace: boolean;
  original?: Tensor;
}

/** The bytes at `shift` into a fresh buffer: exercises the aligned, copied and in-place paths. */
function placed(bytes: Uint8Array, shift: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + 8);
  buf.set(bytes, shift);
  return buf.subarray(shift, shift + bytes.length);
}

/** Ext header for a payload of `n` bytes: fixext when it fits, else ext 8/16/32. */
function extHeader(n: number): number[] {
  const fix: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
  if (fix[n] !== undefined) return [fix[n]!, TENSOR_EXT_TYPE];
  if (n <= 0xff) return [0xc7, n, TENSOR_EXT_TYPE];
  if (n <= 0xffff) return [0xc8, n >> 8, n & 0xff, TENSOR_EXT_TYPE];
  return [0xc9, ...u32be(n), TENSOR_EXT_TYPE];
}

/** Tensor payloads built field by field: any dtype code, rank, dims and a data length off by a little. */
const craftedTensor: fc.Arbitrary<Uint8Array> = fc
  .record({
    code: fc.oneof(fc.nat({ max: 7 }), fc.nat({ max: 255 })),
    dims: fc.array(
      fc.oneof(fc.nat({ max: 5 }), fc.constantFrom(0, 1, 0xffff, 0x1_0000, 0x7fff_ffff, 0xffff_ffff)),
      { maxLength: 10 },
    ),
    slack: fc.oneof(fc.constant(0), fc.integer({ min: -9, max: 9 })),
  })
  .map(({ code, dims, slack }) => {
    const count = dims.reduce((a, d) => a * d, 1);
    const item = code < 8 ? [4, 2, 2, 4, 8, 1, 1, 1][code]! : 1;
    const dataBytes = count * item <= 4096 ? Math.max(0, count * item + slack) : 16;
    const payload = new Uint8Array(2 + 4 * dims.length + dataBytes);
    payload[0] = code;
    payload[1] = dims.length;
    const view = new DataView(payload.buffer);
    for (const [i, d] of dims.entries()) view.setUint32(2 + 4 * i, d, true);
    for (let i = 2 + 4 * dims.length; i < payload.length; i++) payload[i] = (i * 7) & (code === 7 ? 1 : 0xff);
    return Uint8Array.from([...extHeader(payload.length), ...payload]);
  });

const tensorSeeds = VECTORS.filter((v) => v.name.startsWith('tensor')).map((v) => unhex(v.hex));

const tensors: fc.Arbitrary<TensorCase> = fc
  .tuple(
    fc.oneof(
      { weight: 2, arbitrary: tensorArb().map((t) => ({ bytes: encodeValue(t), original: t })) },
      { weight: 3, arbitrary: craftedTensor.map((bytes) => ({ bytes })) },
      {
        weight: 3,
        arbitrary: tensorArb().chain((t) =>
          mutatedBytes([encodeValue(t), ...tensorSeeds]).map((bytes) => ({ bytes })),
        ),
      },
    ),
    fc.nat({ max: 7 }),
    fc.boolean(),
  )
  .map(([c, shift, inPlace]) => ({ ...c, bytes: placed(c.bytes, shift), inPlace }));

describe('fuzz: tensor extension', () => {
  it('protocol.tensorExtension: typed errors only, aligned views, in-place and copy agree, round-trip', () => {
    const stats = fuzzDecoder({
      name: 'protocol.tensorExtension',
      inputs: tensors,
      sizeOf: (c) => c.bytes.length,
      // the in-place decoder may move bytes: give it its own copy, keep the input for the checks
      decode: (c) =>
        decodeValue(c.inPlace ? placed(c.bytes, c.bytes.byteOffset % 8) : c.bytes, undefined, {
          inPlace: c.inPlace,
        }),
      typedCode: typedBy(ProtocolError, 'ProtocolError', VALUE_CODES),
      onAccepted: (value, c) => {
        if (!isTensor(value)) return; // a mutation may leave a plain value
        const t = value as Tensor;
        expect(t.data.byteOffset % itemBytes(t.dtype)).toBe(0);
        expect(t.data).toBeInstanceOf(DTYPE_ARRAY[t.dtype]);
        expect(t.data.length).toBe(elementCount(t.shape));
        if (c.original !== undefined) expect(t).toStrictEqual(c.original);
        const other = decodeValue(c.bytes, undefined, { inPlace: false });
        expect(other).toStrictEqual(t);
        expect(decodeValue(encodeValue(t))).toStrictEqual(t);
      },
      onRejected: (error, c) => {
        if (c.original !== undefined) throw new Error('a valid tensor was rejected', { cause: error });
      },
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(stats.codes.bad_frame).toBeGreaterThan(0);
  });
});

/** Seed of the client in the hello vector (spec/vectors/protocol/messages.json). */
const VECTOR_CLIENT_SEED = '0726456483a2c1e0ff1e3d5c7b9ab9d8f71635547392b1d0ef0e2d4c6b8aa9c8';

/** Ed25519 public keys that strict verification must refuse: small-order points and non-canonical y. */
const HOSTILE_KEYS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map(unhex);

/** ℓ, the order of the Ed25519 base point, little-endian: S + ℓ is a non-canonical scalar. */
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;

function addL(sig: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  s += ED25519_L;
  const out = sig.slice();
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

interface HelloCase {
  bytes: Uint8Array;
  challenge: { nonce: Uint8Array; serverId: string };
  /** the signed parts (pubkey, sig, nonce, serverId) are untouched and the version is 1 */
  genuine: boolean;
}

/** The challenge of the golden vectors, which the golden hello answers. */
const challenge = (() => {
  const v = VECTORS.find((x) => x.name === 'challenge') as unknown as {
    value: { body: { nonce: { $bin: string }; serverId: string } };
  };
  return createChallenge(v.value.body.serverId, () => unhex(v.value.body.nonce.$bin));
})();
const client = createIdentity(unhex(VECTOR_CLIENT_SEED));
const helloFrame = (hello: Hello, id = 2) => encodeMessage({ v: 1, t: 'hello', id, body: hello });
const genuineHello = signHello(client, challenge, { roles: ['worker'] });
const helloSeeds = [
  helloFrame(genuineHello),
  ...VECTORS.filter((v) => v.name.includes('hello')).map((v) => unhex(v.hex)),
];

const flipBit = (b: Uint8Array, bit: number) => {
  const out = b.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
};

/** Hellos with one signed part changed: each must fail to verify. */
const forgedHello: fc.Arbitrary<HelloCase> = fc
  .tuple(
    fc.constantFrom('sig', 'pubkey', 'hostileKey', 'sPlusL', 'nonce', 'serverId', 'version' as const),
    fc.nat({ max: 511 }),
    fc.nat({ max: HOSTILE_KEYS.length - 1 }),
    fc.string({ minLength: 1, maxLength: 16 }),
  )
  .map(([part, bit, k, serverId]) => {
    const hello: Hello = { ...genuineHello };
    let ch = { nonce: challenge.nonce, serverId: challenge.serverId };
    if (part === 'sig') hello.sig = flipBit(hello.sig, bit);
    if (part === 'pubkey') hello.pubkey = flipBit(hello.pubkey, bit);
    if (part === 'hostileKey') hello.pubkey = HOSTILE_KEYS[k]!;
    if (part === 'sPlusL') hello.sig = addL(hello.sig);
    if (part === 'nonce') ch = { ...ch, nonce: flipBit(ch.nonce, bit) };
    if (part === 'serverId') ch = { ...ch, serverId: serverId === ch.serverId ? `${serverId}!` : serverId };
    if (part === 'version') hello.version = bit === 1 ? 0 : bit;
    return { bytes: helloFrame(hello), challenge: ch, genuine: false };
  });

const hellos: fc.Arbitrary<HelloCase> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ bytes: helloSeeds[0]!, challenge, genuine: true }) },
  { weight: 4, arbitrary: forgedHello },
  {
    weight: 4,
    arbitrary: mutatedBytes(helloSeeds).map((bytes) => ({ bytes, challenge, genuine: false })),
  },
);

describe('fuzz: handshake', () => {
  it('protocol.verifyHello: decode + verify accept only the genuine hello; typed errors only', () => {
    let genuineAccepted = 0;
    const stats = fuzzDecoder({
      name: 'protocol.verifyHello',
      // one Ed25519 verification per case (~1 ms): a quarter of the cases of a plain decoder
      runs: runsFor(4),
      inputs: hellos,
      sizeOf: (c) => c.bytes.length,
      decode: (c) => {
        const env = decodeMessage(c.bytes);
        if (env.t !== 'hello') return { other: env.t };
        return verifyHello(env.body as Hello, c.challenge, new SeenNonces());
      },
      typedCode: typedBy(ProtocolError, 'ProtocolError', HELLO_CODES),
      onAccepted: (value, c) => {
        if ('other' in (value as object)) return;
        // a mutation may leave the signed parts intact (e.g. it changed only the capabilities);
        // anything that verifies must carry exactly the genuine key and signature
        const body = decodeMessage(c.bytes).body as Hello;
        expect(Buffer.from(body.pubkey).equals(Buffer.from(genuineHello.pubkey))).toBe(true);
        expect(Buffer.from(body.sig).equals(Buffer.from(genuineHello.sig))).toBe(true);
        expect(c.challenge).toBe(challenge);
        if (c.genuine) genuineAccepted++;
      },
      onRejected: (error, c) => {
        if (c.genuine) throw new Error('the genuine hello was rejected', { cause: error });
      },
    });
    expect(genuineAccepted).toBeGreaterThan(0);
    expect(stats.codes.bad_signature).toBeGreaterThan(0);
  });
});

describe('limits', () => {
  it('a 100 KB frame nested 100 000 deep under a raised maxDepth is too_large, not a RangeError', () => {
    // resolveLimits accepts any positive maxDepth, and the decoder recurses once per level: past
    // some thousands of levels the stack runs out, which must still read as too_large
    const limits = resolveLimits({ maxDepth: 1_000_000 });
    const frame = new Uint8Array(100_001).fill(0x91); // 100 000 nested one-element arrays around 0
    frame[100_000] = 0x00;
    let outcome: string;
    try {
      decodeValue(frame, limits);
      outcome = 'decoded';
    } catch (e) {
      outcome =
        e instanceof ProtocolError
          ? `ProtocolError ${e.code}`
          : `${(e as Error).name}: ${(e as Error).message}`;
    }
    expect(['decoded', 'ProtocolError too_large']).toContain(outcome);
  });
});

describe('fuzz harness (self-check: each rule can fail)', () => {
  const base = {
    inputs: fc.constant(new Uint8Array(1024)), // nothing to shrink: each failure runs once
    sizeOf: (b: Uint8Array) => b.length,
    typedCode: typedBy(ProtocolError, 'ProtocolError', ['bad_frame']),
    runs: 5,
  };
  it('flags an untyped exception', () => {
    expect(() =>
      fuzzDecoder({
        ...base,
        name: 'self-check.untyped',
        decode: () => {
          throw new RangeError('offset is out of bounds');
        },
      }),
    ).toThrow(/untyped or undocumented error: RangeError/);
  });
  it('flags a typed error with an undocumented code', () => {
    expect(() =>
      fuzzDecoder({
        ...base,
        name: 'self-check.code',
        decode: () => {
          throw new ProtocolError('internal', 'boom');
        },
      }),
    ).toThrow(/undocumented error/);
  });
  it('flags a 1 KB input that allocates 100 MB', () => {
    expect(() =>
      fuzzDecoder({
        ...base,
        name: 'self-check.memory',
        decode: () => new Uint8Array(100 * 1024 * 1024).fill(1), // live while the probe reads
      }),
    ).toThrow(/grew live memory/);
  });
});
