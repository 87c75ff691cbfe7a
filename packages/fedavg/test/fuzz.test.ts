/**
 * Fuzzing of update files (docs/reliability.md, "Fuzzing"): safetensors with `__metadata__`
 * `{num_samples, round, base}` get structured, mutated and random bytes. For any input
 * `decodeUpdateFile` returns a value or throws a FedAvgError with a documented code (wrapping, if
 * anything, the codec's own typed error) — never another exception, never a hang, never an
 * allocation out of proportion to the input; valid files round-trip. Size: `AILO_FUZZ_RUNS` cases
 * (CI default is small; `node scripts/fuzz.mjs` runs 100 000).
 */
import { readFileSync } from 'node:fs';
import { VirtualTensorError } from '@ailo/virtual-tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatedBytes, prefixes, randomBytes } from '../../../scripts/fuzz/byteMutations';
import { assertOptions, fuzzDecoder } from '../../../scripts/fuzz/fuzzDecoder';
import { FUZZ_RUNS } from '../../../scripts/fuzz/fuzzSettings';
import { mutatedJson } from '../../../scripts/fuzz/jsonMutations';
import { FedAvgError } from '../src/errors';
import { decodeTensorFile } from '../src/tensorFile';
import { decodeUpdateFile, encodeUpdateFile, type UpdateFileContents } from '../src/updateFile';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const FIXTURES = ['tiny_qwen2.safetensors', 'tiny_distilgpt2.safetensors'].map(
  (f) => new Uint8Array(readFileSync(`${FIX}/${f}`)),
);

/** The codes `decodeUpdateFile` documents, and what each may wrap. */
const CAUSES: Record<string, (cause: unknown) => boolean> = {
  INVALID_UPDATE_FILE: (c) => c === undefined || c instanceof VirtualTensorError,
  DTYPE_MISMATCH: (c) => c === undefined || (c instanceof VirtualTensorError && c.code === 'UNKNOWN_DTYPE'),
  INVALID_NUM_SAMPLES: (c) => c === undefined || c instanceof FedAvgError,
};

function updateFileCode(error: unknown): string | undefined {
  if (!(error instanceof FedAvgError) || error.name !== 'FedAvgError') return undefined;
  const causeOk = CAUSES[error.code];
  if (causeOk === undefined || !causeOk(error.cause)) return undefined;
  const codec = error.cause instanceof VirtualTensorError ? `/${error.cause.code}` : '';
  return `${error.code}${codec}`;
}

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

/** Small updates: float tensors of any shape, n_k, round, base and extra metadata. */
const updateArb = fc
  .record({
    tensors: fc.uniqueArray(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 10 }).filter((n) => n !== '__metadata__'),
        shape: fc.array(fc.nat({ max: 4 }), { maxLength: 3 }),
        seed: fc.integer(),
      }),
      { selector: (t) => t.name, minLength: 1, maxLength: 4 },
    ),
    numSamples: fc.oneof(fc.constantFrom(1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: 1e9 })),
    round: fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.nat()),
    base: hash,
    metadata: fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => !['num_samples', 'round', 'base'].includes(k)),
      fc.string({ maxLength: 12 }),
      { maxKeys: 2 },
    ),
    dtype: fc.constantFrom('f32' as const, 'f16' as const, 'bf16' as const),
  })
  .map(({ tensors, dtype, ...rest }) => {
    const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
    const delta = new Map(
      tensors.map((t) => {
        const n = t.shape.reduce((a, b) => a * b, 1);
        return [t.name, Float32Array.from({ length: n }, (_, i) => Math.sin(t.seed + i) * 4)];
      }),
    );
    return { update: { delta, shapes, ...rest }, dtype };
  });

const fixtureUpdates = FIXTURES.map((bytes, i) => {
  const file = decodeTensorFile(bytes);
  return encodeUpdateFile({
    delta: file.tensors,
    shapes: file.schema,
    numSamples: 128 + i,
    round: 7,
    base: 'ab'.repeat(32),
    metadata: { client: `fixture-${i}` },
  });
});
const SEEDS = [
  ...fixtureUpdates,
  ...fc.sample(
    updateArb.map(({ update, dtype }) => encodeUpdateFile(update, dtype)),
    { numRuns: 6, seed: 3 },
  ),
];

function headerOf(bytes: Uint8Array): { json: unknown; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return {
    json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.subarray(8 + n),
  };
}

function withHeader(headerText: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

const HEADERS = SEEDS.map(headerOf);

/** Values of n_k, round and base that a careless parser gets wrong. */
const HOSTILE_META = [
  '',
  '0',
  '-1',
  '01',
  '1e3',
  '1.0',
  ' 1',
  '0x10',
  'NaN',
  'Infinity',
  '9007199254740991',
  '9007199254740992',
  '99999999999999999999999',
  'AB'.repeat(32),
  'ab'.repeat(31),
  'ab'.repeat(33),
  '9'.repeat(100_000),
];

const metadataEdit = fc
  .tuple(
    fc.nat({ max: HEADERS.length - 1 }),
    fc.constantFrom('num_samples', 'round', 'base'),
    fc.option(fc.constantFrom(...HOSTILE_META), { nil: undefined }),
  )
  .map(([i, key, value]) => {
    const { json, data } = HEADERS[i]!;
    const header = structuredClone(json) as { __metadata__: Record<string, string> };
    if (value === undefined) delete header.__metadata__[key];
    else header.__metadata__[key] = value;
    return withHeader(JSON.stringify(header), data);
  });

const inputs: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: updateArb.map(({ update, dtype }) => encodeUpdateFile(update, dtype)) },
  { weight: 2, arbitrary: metadataEdit },
  {
    weight: 3,
    arbitrary: fc
      .nat({ max: HEADERS.length - 1 })
      .chain((i) => mutatedJson([HEADERS[i]!.json]).map((text) => withHeader(text, HEADERS[i]!.data))),
  },
  { weight: 3, arbitrary: mutatedBytes([...SEEDS, ...FIXTURES]) },
  { weight: 1, arbitrary: randomBytes(256) },
);

/** What an accepted update file must satisfy whatever its origin. */
function checkContents(u: UpdateFileContents): void {
  expect(Number.isSafeInteger(u.numSamples) && u.numSamples > 0).toBe(true);
  expect(Number.isSafeInteger(u.round) && u.round >= 0).toBe(true);
  expect(u.base).toMatch(/^[0-9a-f]{64}$/);
  expect([...u.delta.keys()].sort()).toEqual([...u.shapes.keys()].sort());
  for (const [name, values] of u.delta) {
    expect(values).toBeInstanceOf(Float32Array);
    expect(values.length).toBe(u.shapes.get(name)!.reduce((a, b) => a * b, 1));
  }
  expect(u.metadata.num_samples).toBe(String(u.numSamples));
}

describe('fuzz: update files', () => {
  it('fedavg.decodeUpdateFile: typed errors only (wrapping typed codec errors), bounded memory', () => {
    const stats = fuzzDecoder(
      {
        name: 'fedavg.decodeUpdateFile',
        inputs,
        sizeOf: (b) => b.length,
        decode: (b) => decodeUpdateFile(b),
        typedCode: updateFileCode,
        onAccepted: (value) => checkContents(value as UpdateFileContents),
      },
      SEEDS.slice(2).flatMap((s) => [...prefixes(s)]),
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(
      expect.arrayContaining([
        'INVALID_UPDATE_FILE',
        'INVALID_NUM_SAMPLES',
        'INVALID_UPDATE_FILE/SAFETENSORS_TRUNCATED',
      ]),
    );
  });

  it('fedavg.updateFileRoundTrip: encodeUpdateFile → decodeUpdateFile round-trips (f32 exactly; f16/bf16 as stored)', () => {
    fc.assert(
      fc.property(updateArb, ({ update, dtype }) => {
        const back = decodeUpdateFile(encodeUpdateFile(update, dtype));
        expect({ n: back.numSamples, round: back.round, base: back.base }).toEqual({
          n: update.numSamples,
          round: update.round,
          base: update.base,
        });
        expect(back.shapes).toEqual(update.shapes);
        expect(back.metadata).toEqual({
          ...update.metadata,
          num_samples: String(update.numSamples),
          round: String(update.round),
          base: update.base,
        });
        if (dtype === 'f32') {
          for (const [name, values] of update.delta) expect([...back.delta.get(name)!]).toEqual([...values]);
        }
        // stored values are a fixed point: decoding and re-encoding the result changes nothing
        const again = decodeUpdateFile(encodeUpdateFile({ ...back, delta: back.delta }, dtype));
        for (const [name, values] of back.delta) expect([...again.delta.get(name)!]).toEqual([...values]);
      }),
      assertOptions(FUZZ_RUNS),
    );
  });
});
