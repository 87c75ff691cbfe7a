/**
 * Fuzzing of this package's decoders (docs/reliability.md, "Fuzzing"): safetensors files (length
 * prefix, JSON header, offsets) and manifests get structured, mutated and random input. For any
 * input a decoder returns a value or throws a VirtualTensorError with a documented code — never
 * another exception, never a hang, never an allocation out of proportion to the input; valid
 * encodings round-trip. Size: `AILO_FUZZ_RUNS` cases per decoder (CI default is small;
 * `node scripts/fuzz.mjs` runs 100 000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutatedBytes, prefixes, randomBytes } from '../../../scripts/fuzz/byteMutations';
import { assertOptions, fuzzDecoder } from '../../../scripts/fuzz/fuzzDecoder';
import { FUZZ_RUNS } from '../../../scripts/fuzz/fuzzSettings';
import { mutatedJson } from '../../../scripts/fuzz/jsonMutations';
import { typedBy } from '../../../scripts/fuzz/typedBy';
import {
  byteLength,
  DTYPES,
  encodeSafetensors,
  inferModelConfig,
  type Manifest,
  modelConfigFromHf,
  packTensors,
  parseManifest,
  parseSafetensors,
  type SafetensorsFile,
  type TensorEntry,
  VirtualTensorError,
} from '../src/index';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));
const QWEN = fixture('tiny_qwen2.safetensors');
const GPT2 = fixture('tiny_distilgpt2.safetensors');

/** Codes `parseSafetensors` documents. */
const SAFETENSORS_CODES = [
  'SAFETENSORS_TRUNCATED',
  'SAFETENSORS_HEADER_TOO_LARGE',
  'SAFETENSORS_HEADER_INVALID',
  'SAFETENSORS_OFFSETS',
  'UNKNOWN_DTYPE',
  'SHAPE_MISMATCH',
];

/** Small tensors of every dtype with arbitrary names and metadata. */
const tensorsArb = fc
  .uniqueArray(
    fc.record({
      name: fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '__metadata__'),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.nat({ max: 4 }), { maxLength: 3 }),
      fill: fc.nat({ max: 255 }),
    }),
    { selector: (t) => t.name, maxLength: 5 },
  )
  .map((list) =>
    list.map(
      ({ name, dtype, shape, fill }) =>
        [name, { dtype, shape, data: new Uint8Array(byteLength(dtype, shape)).fill(fill) }] as [
          string,
          TensorEntry,
        ],
    ),
  );
const metadataArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 3 });

/** Splits a safetensors file into its header JSON and data section (the file must parse). */
function headerOf(bytes: Uint8Array): { json: unknown; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return {
    json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.subarray(8 + n),
  };
}

/** A file with `headerText` as header (length prefix set to match) and `data` after it. */
function withHeader(headerText: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

const smallSeeds = fc.sample(
  fc.tuple(tensorsArb, metadataArb).map(([t, m]) => encodeSafetensors(t, m)),
  { numRuns: 6, seed: 1 },
);
const FILE_SEEDS = [QWEN, GPT2, ...smallSeeds];
const HEADER_SEEDS = FILE_SEEDS.map(headerOf);

/** Length prefixes that matter: 0, past the file, 2^31, 2^32 − 1, 100 MB ± 1, ≥ 2^32, 2^64 − 1. */
const HUGE_PREFIXES = [
  0n,
  7n,
  100_000_000n,
  100_000_001n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n,
  2n ** 64n - 1n,
];

const safetensorsInputs: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 1, arbitrary: fc.tuple(tensorsArb, metadataArb).map(([t, m]) => encodeSafetensors(t, m)) },
  {
    weight: 4,
    arbitrary: fc
      .nat({ max: HEADER_SEEDS.length - 1 })
      .chain((i) =>
        mutatedJson([HEADER_SEEDS[i]!.json]).map((text) => withHeader(text, HEADER_SEEDS[i]!.data)),
      ),
  },
  { weight: 3, arbitrary: mutatedBytes(FILE_SEEDS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...FILE_SEEDS), fc.constantFrom(...HUGE_PREFIXES))
      .map(([seed, n]) => {
        const out = seed.slice();
        new DataView(out.buffer).setBigUint64(0, n, true);
        return out;
      }),
  },
  { weight: 1, arbitrary: randomBytes(256) },
);

/** Every tensor is a view of the right size inside the data section, and no two overlap. */
function checkParsed(file: SafetensorsFile, input: Uint8Array): void {
  const dataStart = 8 + new DataView(input.buffer, input.byteOffset).getUint32(0, true);
  const spans: [number, number][] = [];
  for (const [, t] of file.tensors) {
    expect(t.data.length).toBe(byteLength(t.dtype, t.shape));
    expect(t.data.buffer).toBe(input.buffer);
    const begin = t.data.byteOffset - input.byteOffset;
    expect(begin).toBeGreaterThanOrEqual(dataStart);
    expect(begin + t.data.length).toBeLessThanOrEqual(input.length);
    if (t.data.length > 0) spans.push([begin, begin + t.data.length]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  for (const v of Object.values(file.metadata)) expect(typeof v).toBe('string');
}

describe('fuzz: safetensors', () => {
  it('virtual-tensor.parseSafetensors: typed errors only, bounded memory, accepted files are consistent views', () => {
    // every length of the small seeds and of the fixtures' prefix + header; the fixtures' data
    // sections (16k lengths, all failing the same offset check) in full only in long runs
    const stride = FUZZ_RUNS >= 10_000 ? 1 : 41;
    const truncations = [
      ...smallSeeds.flatMap((s) => [...prefixes(s)]),
      ...[QWEN, GPT2].flatMap((f) => {
        const dataStart = 8 + new DataView(f.buffer, f.byteOffset).getUint32(0, true);
        return [...prefixes(f)].filter((p) => p.length <= dataStart || p.length % stride === 0);
      }),
    ];
    const stats = fuzzDecoder(
      {
        name: 'virtual-tensor.parseSafetensors',
        inputs: safetensorsInputs,
        sizeOf: (b) => b.length,
        decode: (b) => parseSafetensors(b),
        typedCode: typedBy(VirtualTensorError, 'VirtualTensorError', SAFETENSORS_CODES),
        onAccepted: (value, input) => checkParsed(value as SafetensorsFile, input),
      },
      truncations,
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(
      expect.arrayContaining(['SAFETENSORS_TRUNCATED', 'SAFETENSORS_HEADER_INVALID', 'SAFETENSORS_OFFSETS']),
    );
  });

  it('virtual-tensor.safetensorsRoundTrip: encodeSafetensors → parseSafetensors round-trips names, dtypes, shapes, bytes and metadata', () => {
    fc.assert(
      fc.property(tensorsArb, metadataArb, (tensors, metadata) => {
        const back = parseSafetensors(encodeSafetensors(tensors, metadata));
        expect(new Map([...back.tensors].map(([k, t]) => [k, { ...t, data: [...t.data] }]))).toEqual(
          new Map(tensors.map(([k, t]) => [k, { ...t, data: [...t.data] }])),
        );
        expect(back.metadata).toEqual(metadata);
      }),
      assertOptions(FUZZ_RUNS),
    );
  });

  it('"__proto__" as a tensor name or metadata key survives a round trip', () => {
    // plain assignment of "__proto__" on an object sets the prototype instead of a key: the
    // encoder and the parser must define own properties so such names survive
    const entry: TensorEntry = { dtype: 'f32', shape: [1], data: new Uint8Array(4).fill(1) };
    const metadata = JSON.parse('{"__proto__": "x"}') as Record<string, string>; // an own key
    const back = parseSafetensors(encodeSafetensors(new Map([['__proto__', entry]]), metadata));
    expect({ names: [...back.tensors.keys()], metadata: Object.keys(back.metadata) }).toEqual({
      names: ['__proto__'],
      metadata: ['__proto__'],
    });
  });
});

async function packedManifest(file: Uint8Array, chunks: number, arch: 'gpt2' | 'qwen2'): Promise<Manifest> {
  const parsed = parseSafetensors(file);
  const config =
    arch === 'qwen2'
      ? modelConfigFromHf(JSON.parse(readFileSync(join(FIX, 'tiny_qwen2_config.json'), 'utf8')))
      : inferModelConfig(
          'gpt2',
          [...parsed.tensors].map(([name, t]) => ({ name, shape: t.shape })),
          { numHeads: 2 },
        );
  return (await packTensors(parsed.tensors, { config, chunks, metadata: { source: arch } })).manifest;
}

const MANIFESTS = await Promise.all([
  packedManifest(QWEN, 1, 'qwen2'),
  packedManifest(QWEN, 4, 'qwen2'),
  packedManifest(GPT2, 3, 'gpt2'),
]);
const MANIFEST_TEXT = MANIFESTS.map((m) => new TextEncoder().encode(JSON.stringify(m)));

/** A manifest to parse, as text or bytes; `original` when it is an unmodified packed manifest. */
type ManifestCase = { input: string | Uint8Array; original?: Manifest };

const manifestInputs: fc.Arbitrary<ManifestCase> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: MANIFESTS.length - 1 })
      .map((i) => ({ input: JSON.stringify(MANIFESTS[i]), original: MANIFESTS[i]! })),
  },
  { weight: 6, arbitrary: mutatedJson(MANIFESTS).map((input) => ({ input })) },
  { weight: 2, arbitrary: mutatedBytes(MANIFEST_TEXT).map((input) => ({ input })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ input: JSON.stringify(v) })) },
);

describe('fuzz: manifests', () => {
  it('virtual-tensor.parseManifest: typed errors only, bounded memory; packed manifests round-trip', () => {
    const stats = fuzzDecoder({
      name: 'virtual-tensor.parseManifest',
      inputs: manifestInputs,
      sizeOf: (c) => (typeof c.input === 'string' ? c.input.length : c.input.length),
      decode: (c) => parseManifest(c.input),
      typedCode: typedBy(VirtualTensorError, 'VirtualTensorError', ['MANIFEST_INVALID']),
      onAccepted: (value, c) => {
        if (c.original !== undefined) expect(value).toEqual(c.original);
        let text: string;
        try {
          text = JSON.stringify(value);
        } catch {
          return; // `model.hf` may hold a nesting bomb: accepted, but not re-serialisable (see docs)
        }
        expect(parseManifest(text)).toEqual(value);
      },
      onRejected: (error, c) => {
        if (c.original !== undefined) throw new Error('a packed manifest was rejected', { cause: error });
      },
      show: (c) =>
        typeof c.input === 'string' ? c.input.slice(0, 4096) : Buffer.from(c.input).toString('hex'),
    });
    expect(stats.accepted).toBeGreaterThan(0);
  });

  it('a 6 KB manifest declaring 2^31 layers is rejected in bounded memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ailo-fuzz-manifest-'));
    try {
      const bomb = structuredClone(MANIFESTS[1]!);
      bomb.model.numLayers = 2 ** 31;
      const path = join(dir, 'manifest.json');
      writeFileSync(path, JSON.stringify(bomb));
      // a child with a 64 MiB heap: the manifest must be refused (MANIFEST_INVALID) without OOM
      const source = new URL('../src/index.ts', import.meta.url).href;
      const script = `const { parseManifest } = await import(${JSON.stringify(source)});
        try { parseManifest(process.argv[1]); console.log('accepted'); } catch (e) { console.log(e.code); }`;
      const child = spawnSync(
        process.execPath,
        [
          '--max-old-space-size=64',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          script,
          readFileSync(path, 'utf8'),
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      const died = child.stderr.split('\n').find((l) => /heap|memory/i.test(l)) ?? child.error?.message ?? '';
      expect({ status: child.status, signal: child.signal, out: child.stdout.trim(), died }).toEqual({
        status: 0,
        signal: null,
        out: 'MANIFEST_INVALID',
        died: '',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
