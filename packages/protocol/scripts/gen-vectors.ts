/**
 * Writes the golden vectors of spec/vectors/protocol/*.json (spec §10). Valid vectors are encoded by
 * this package and carry their decoded meaning as JSON; invalid ones are hand-built hostile frames
 * with the error code a decoder must raise. `pnpm --filter @ailo/protocol gen:vectors`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeValue } from '../src/encodeValue';
import { ERROR_CODE_LIST, type ErrorCode } from '../src/errorCodes';
import { createChallenge } from '../src/handshake/createChallenge';
import { createIdentity } from '../src/handshake/identity';
import { signHello } from '../src/handshake/signHello';
import { type Limits, resolveLimits } from '../src/limits';
import { decodeMessage, encodeMessage } from '../src/message';
import { ProtocolError } from '../src/ProtocolError';
import { tensor } from '../src/tensor';
import { toVectorJson, type VectorJson } from '../src/vectorJson';

export const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../spec/vectors/protocol');

/** One golden vector (spec §10). `limits` overrides the default decoder limits for this vector only. */
export interface Vector {
  name: string;
  description: string;
  valid: boolean;
  hex: string;
  value?: VectorJson;
  error?: ErrorCode;
  limits?: Partial<Limits>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);
const hash = (seed: number) => bytes(32, seed);

/** A frame of an arbitrary map, encoded without any check (for hostile vectors). */
const raw = (value: unknown) =>
  encodeValue(value, resolveLimits({ maxDepth: 10_000, maxCollectionLength: 1e9 }));

function valid(
  name: string,
  description: string,
  t: string,
  body: Record<string, unknown>,
  extra: { id?: number; re?: number } = {},
): Vector {
  const envelope = {
    v: 1 as const,
    t,
    id: extra.id ?? 1,
    body,
    ...(extra.re === undefined ? {} : { re: extra.re }),
  };
  const frame = encodeMessage(envelope);
  return { name, description, valid: true, hex: hex(frame), value: toVectorJson(decodeMessage(frame)) };
}

function invalid(
  name: string,
  description: string,
  frame: Uint8Array | string,
  error: ErrorCode,
  limits?: Partial<Limits>,
): Vector {
  const v: Vector = {
    name,
    description,
    valid: false,
    hex: typeof frame === 'string' ? frame : hex(frame),
    error,
  };
  if (limits !== undefined) v.limits = limits;
  return v;
}

/** The fixed identity and challenge the hello vectors are signed with (Ed25519 is deterministic). */
function helloVector(): Vector {
  const identity = createIdentity(bytes(32, 7));
  const challenge = createChallenge('coordinator.example', (n) => bytes(n, 99));
  const hello = signHello(identity, challenge, {
    roles: ['worker', 'trainer'],
    capabilities: {
      backends: ['cpu', 'wasm'],
      memoryBytes: 8 * 2 ** 30,
      layerSpans: [{ model: 'ailo-840m', start: 0, end: 6 }],
    },
  });
  return valid(
    'hello',
    `hello answering the challenge vector; sig = Ed25519(seed ${hex(bytes(32, 7))}, "ailo-hello-v1" ‖ nonce ‖ "coordinator.example")`,
    'hello',
    hello,
    { id: 2 },
  );
}

function messages(): Vector[] {
  const span = { model: 'ailo-840m', start: 6, end: 12 };
  const limits = {
    maxFrameBytes: 67_108_864,
    maxTensorElements: 67_108_864,
    maxCollectionLength: 65_536,
    maxDepth: 32,
    maxStringBytes: 1_048_576,
  };
  return [
    valid('challenge', 'server challenge: 32-byte nonce and server id', 'challenge', {
      nonce: bytes(32, 99),
      serverId: 'coordinator.example',
    }),
    helloVector(),
    valid(
      'welcome',
      'server accepts the hello (re = hello id)',
      'welcome',
      { serverId: 'coordinator.example', peerId: 'ab'.repeat(32), heartbeatMs: 15_000, limits },
      { id: 3, re: 2 },
    ),
    valid('ping', 'heartbeat with a float timestamp', 'ping', { ts: 1_732_560_000_123.5 }, { id: 4 }),
    valid('pong', 'heartbeat answer', 'pong', { ts: 1_732_560_000_123.5 }, { id: 5, re: 4 }),
    valid(
      'bye',
      'closing with a reason and code',
      'bye',
      { reason: 'shutting down', code: 'unavailable' },
      { id: 6 },
    ),
    valid(
      'error',
      'error reply',
      'error',
      { code: 'not_found', message: 'no chunk 7', retryable: false },
      { id: 7, re: 6 },
    ),
    valid('ok', 'empty acknowledgement', 'ok', {}, { id: 8, re: 7 }),
    valid('infer.open', 'open an inference session on layers [6, 12)', 'infer.open', {
      session: 's-1',
      span,
      maxContext: 2048,
    }),
    valid('infer.forward', 'hidden states [1, 2, 4] f32 into a stage', 'infer.forward', {
      session: 's-1',
      step: 3,
      position: 17,
      input: tensor('f32', [1, 2, 4], new Float32Array([0.5, -1, 2, 0, 1e-3, 3.25, -0.125, 65_504])),
    }),
    valid(
      'infer.result',
      'logits [1, 1, 3] f16 out of the last stage',
      'infer.result',
      {
        session: 's-1',
        step: 3,
        output: tensor('f16', [1, 1, 3], new Uint16Array([0x3c00, 0xc000, 0x7bff])),
      },
      { id: 9, re: 1 },
    ),
    valid('infer.close', 'close the session', 'infer.close', { session: 's-1' }),
    valid('round.announce', 'round 12 opens', 'round.announce', {
      round: 12,
      model: 'tiny-gpt2',
      baseHash: hash(1),
      deadline: 1_732_560_060_000,
      minClients: 2,
      maxClients: 16,
    }),
    valid('round.task', 'a training task', 'round.task', {
      round: 12,
      taskId: 't-3',
      baseHash: hash(1),
      shard: 'brown/news',
      epochs: 1,
      batchSize: 8,
      learningRate: 0.0003,
      deadline: 1_732_560_060_000,
    }),
    valid('update.submit', 'a signed update with bf16 and i8 deltas', 'update.submit', {
      round: 12,
      taskId: 't-3',
      baseHash: hash(1),
      updateHash: hash(2),
      samples: 1024,
      nonce: bytes(16, 5),
      pubkey: hash(3),
      sig: bytes(64, 4),
      delta: {
        'h.0.attn.c_attn.weight': tensor('bf16', [2, 2], new Uint16Array([0x3f80, 0xbf80, 0x0000, 0x4000])),
        'h.0.ln_1.bias': tensor('i8', [3], new Int8Array([-128, 0, 127])),
      },
    }),
    valid('round.result', 'round 12 closes with two rewards', 'round.result', {
      round: 12,
      modelHash: hash(9),
      accepted: 2,
      rejected: 1,
      rewards: [
        { pubkey: hash(3), amount: 10_000_000 },
        { pubkey: hash(4), amount: 15_000_000 },
      ],
    }),
    valid('tx.submit', 'an opaque transaction', 'tx.submit', { tx: bytes(40, 1) }),
    valid('tx.verify', 'an opaque VERIFY transaction', 'tx.verify', { tx: bytes(20, 2) }),
    valid('tx.report', 'an opaque REPORT transaction', 'tx.report', { tx: bytes(20, 3) }),
    valid(
      'tx.ack',
      'transaction refused with a reason',
      'tx.ack',
      { txId: hash(5), accepted: false, reason: 'nonce too low' },
      { id: 10, re: 1 },
    ),
    valid('block.announce', 'a new block', 'block.announce', {
      height: 77,
      hash: hash(6),
      block: bytes(60, 6),
    }),
    valid('ledger.sync', 'ask for 100 blocks from height 70', 'ledger.sync', { from: 70, limit: 100 }),
    valid(
      'ledger.blocks',
      'two blocks and the tip',
      'ledger.blocks',
      { from: 70, blocks: [bytes(3, 1), bytes(4, 2)], tipHeight: 77, tipHash: hash(6) },
      { id: 11, re: 1 },
    ),
    valid('model.manifest', 'ask for a manifest', 'model.manifest', { model: 'ailo-840m' }),
    valid(
      'model.manifest.data',
      'a manifest (UTF-8 JSON bytes)',
      'model.manifest.data',
      {
        model: 'ailo-840m',
        manifest: new TextEncoder().encode('{"format":"ailo-vt/1"}'),
        sha256: hash(7),
      },
      { id: 12, re: 1 },
    ),
    valid('model.chunk', 'ask for 1 MiB of chunk 3', 'model.chunk', {
      model: 'ailo-840m',
      chunk: 'c003',
      offset: 1_048_576,
      length: 1_048_576,
    }),
    valid(
      'model.chunk.data',
      'the last bytes of a chunk',
      'model.chunk.data',
      { model: 'ailo-840m', chunk: 'c003', offset: 96, total: 100, data: bytes(4, 8) },
      { id: 13, re: 1 },
    ),
  ];
}

function envelopes(): Vector[] {
  return [
    valid('id 0', 'the smallest id', 'ping', { ts: 0 }, { id: 0 }),
    valid('id 2^32-1', 'the largest id and re', 'pong', { ts: 0 }, { id: 0xffff_ffff, re: 0xffff_ffff }),
    valid(
      'unknown body field',
      'unknown body fields are kept and ignored; integers past 2^53 use $int',
      'ping',
      { ts: -1, zz: 18_446_744_073_709_551_615n, aa: -9_007_199_254_740_993n },
    ),
    valid('unicode', 'non-ASCII strings, including a 4-byte sequence; keys sort by UTF-8 bytes', 'bye', {
      reason: 'adiós 👋 — 再见',
    }),
    valid(
      'key order',
      'map keys sorted by their UTF-8 bytes (U+FFFF before U+1F600, unlike UTF-16 order)',
      'ping',
      {
        ts: 1,
        z: 1,
        Z: 2,
        é: 3,
        '😀': 4,
        '\uFFFF': 5,
        aa: 6,
      },
    ),
    invalid(
      'truncated',
      'a ping frame cut one byte short',
      hex(encodeMessage({ v: 1, t: 'ping', id: 1, body: { ts: 5 } })).slice(0, -2),
      'bad_frame',
    ),
    invalid('truncated header', 'a uint32 header missing its bytes', 'ce0000', 'bad_frame'),
    invalid(
      'trailing bytes',
      'a valid ping followed by one extra byte',
      `${hex(encodeMessage({ v: 1, t: 'ping', id: 1, body: { ts: 5 } }))}00`,
      'bad_frame',
    ),
    invalid('empty frame', 'zero bytes', '', 'bad_frame'),
    invalid('not a map', 'the frame is an array', raw([1, 'ping', 1, {}]), 'bad_frame'),
    invalid('non-map body', 'body is an array', raw({ v: 1, t: 'ping', id: 1, body: [5] }), 'bad_frame'),
    invalid('nil body', 'body is nil', raw({ v: 1, t: 'ping', id: 1, body: null }), 'bad_frame'),
    invalid('string id', 'id is a string', raw({ v: 1, t: 'ping', id: '1', body: { ts: 1 } }), 'bad_frame'),
    invalid('id past u32', 'id is 2^32', raw({ v: 1, t: 'ping', id: 2 ** 32, body: { ts: 1 } }), 'bad_frame'),
    invalid('missing t', 'no message type', raw({ v: 1, id: 1, body: {} }), 'bad_frame'),
    invalid(
      'unknown envelope field',
      'an extra top-level key',
      raw({ v: 1, t: 'ping', id: 1, body: { ts: 1 }, x: 0 }),
      'bad_frame',
    ),
    invalid('unknown version', 'v = 2', raw({ v: 2, t: 'ping', id: 1, body: { ts: 1 } }), 'version_mismatch'),
    invalid(
      'unknown type',
      't names no catalogue message',
      raw({ v: 1, t: 'teleport', id: 1, body: {} }),
      'unsupported',
    ),
    invalid(
      'wrong field type',
      'ping.ts is a string',
      raw({ v: 1, t: 'ping', id: 1, body: { ts: 'now' } }),
      'bad_request',
    ),
    invalid(
      'missing field',
      'challenge without a nonce',
      raw({ v: 1, t: 'challenge', id: 1, body: { serverId: 's' } }),
      'bad_request',
    ),
    invalid(
      'short nonce',
      'challenge nonce of 31 bytes',
      raw({ v: 1, t: 'challenge', id: 1, body: { nonce: bytes(31, 0), serverId: 's' } }),
      'bad_request',
    ),
    invalid('integer key', 'a map key that is an integer', '81 01 01'.replace(/ /g, ''), 'bad_frame'),
    invalid(
      'duplicate key',
      'a map with the key "t" twice',
      raw({ v: 1, t: 'ping', id: 1, body: { ts: 1 } })
        .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')
        .replace(/^84/, '85') + 'a174a470696e67',
      'bad_frame',
    ),
    invalid(
      'invalid UTF-8',
      'a string with an overlong encoding',
      raw({ v: 1, t: 'bye', id: 1, body: { reason: 'ab' } })
        .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')
        .replace('a26162', 'a2c0af'),
      'bad_frame',
    ),
    invalid('reserved type byte', '0xc1 is never used', 'c1', 'bad_frame'),
    invalid(
      'unknown extension',
      'extension type 2',
      raw({ v: 1, t: 'ping', id: 1, body: { ts: 1, x: 1 } })
        .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '')
        .replace('a17801', 'a178d40200'),
      'bad_frame',
    ),
    invalid(
      'reserved tensor keys',
      'a plain map with exactly the keys data, dtype, shape',
      hex(
        raw({ v: 1, t: 'ping', id: 1, body: { ts: 1, x: { data: bytes(1, 0), dtypf: 'u8', shape: [1] } } }),
      ).replace(hex(new TextEncoder().encode('dtypf')), hex(new TextEncoder().encode('dtype'))),
      'bad_frame',
    ),
  ];
}

/** hex of a tensor extension with the given header and data (no checks). */
function ext(dtype: number, dims: number[], data: string): string {
  const payload =
    dtype.toString(16).padStart(2, '0') +
    dims.length.toString(16).padStart(2, '0') +
    dims.map((d) => Buffer.from(new Uint32Array([d]).buffer).toString('hex')).join('') +
    data;
  const n = payload.length / 2;
  return `c7${n.toString(16).padStart(2, '0')}01${payload}`;
}

/** A forward frame whose `input` is the given raw ext hex. */
function forwardWith(extHex: string): string {
  const placeholder = tensor('u8', [1], new Uint8Array([0xee]));
  const frame = hex(
    raw({
      v: 1,
      t: 'infer.forward',
      id: 1,
      body: { session: 's', step: 0, position: 0, input: placeholder },
    }),
  );
  const placeholderHex = 'c70701050101000000ee'; // ext8, type 1, u8, ndim 1, dim 1, 0xee
  if (!frame.includes(placeholderHex)) throw new Error('placeholder tensor not found');
  return frame.replace(placeholderHex, extHex);
}

function tensors(): Vector[] {
  const t = (name: string, description: string, input: ReturnType<typeof tensor>) =>
    valid(`tensor ${name}`, description, 'infer.forward', { session: 's', step: 0, position: 0, input });
  const rank8 = tensor('i32', [1, 1, 1, 1, 1, 1, 1, 2], new Int32Array([7, -7]));
  return [
    t('f32 scalar', 'rank 0, one element', tensor('f32', [], new Float32Array([1.5]))),
    t('f16', 'raw binary16 patterns', tensor('f16', [2], new Uint16Array([0x3c00, 0xfc00]))),
    t('bf16', 'raw bfloat16 patterns', tensor('bf16', [2], new Uint16Array([0x3f80, 0x7fc0]))),
    t('i32', 'token ids [1, 3]', tensor('i32', [1, 3], new Int32Array([50_256, 0, -1]))),
    t('i64', 'token ids past 2^31', tensor('i64', [2], new BigInt64Array([2n ** 40n, -1n]))),
    t('empty', 'a zero dimension: no data bytes', tensor('f32', [3, 0], new Float32Array(0))),
    t('rank 8', 'the largest rank', rank8),
    invalid('tensor unknown dtype', 'dtype code 8', forwardWith(ext(8, [1], '00')), 'bad_frame'),
    invalid('tensor rank 9', 'ndim = 9', forwardWith(ext(5, [1, 1, 1, 1, 1, 1, 1, 1, 1], '00')), 'bad_frame'),
    invalid(
      'tensor data short',
      'f32 [2] with 7 data bytes',
      forwardWith(ext(0, [2], '0000803f000000')),
      'bad_frame',
    ),
    invalid(
      'tensor data long',
      'f32 [1] with 5 data bytes',
      forwardWith(ext(0, [1], '0000803f00')),
      'bad_frame',
    ),
    invalid(
      'tensor shape mismatch',
      'i32 [2, 2] with one element',
      forwardWith(ext(3, [2, 2], '01000000')),
      'bad_frame',
    ),
    invalid(
      'tensor dims cut',
      'ndim = 2 but only one dim present',
      forwardWith('c7060101020100000000'.slice(0, 16)),
      'bad_frame',
    ),
    invalid('tensor bool byte', 'a bool element of 2', forwardWith(ext(7, [2], '0102')), 'bad_frame'),
    invalid(
      'tensor elements past the limit',
      'f32 [2^32-1, 2^32-1]: 2^64 elements declared in a 14-byte payload',
      forwardWith(ext(0, [0xffff_ffff, 0xffff_ffff], '')),
      'too_large',
    ),
  ];
}

function limits(): Vector[] {
  const ping = encodeMessage({ v: 1, t: 'ping', id: 1, body: { ts: 5 } });
  let bomb = '00';
  for (let i = 0; i < 40; i++) bomb = `91${bomb}`;
  const deep = hex(raw({ v: 1, t: 'ping', id: 1, body: { ts: 1, x: 0 } })).replace('a17800', `a178${bomb}`);
  const longString = 'x'.repeat(65);
  return [
    {
      ...invalid(
        'oversize frame',
        `a ${ping.length}-byte frame against maxFrameBytes ${ping.length - 1}`,
        ping,
        'too_large',
        { maxFrameBytes: ping.length - 1 },
      ),
    },
    {
      ...valid('frame at the limit', 'the same frame at maxFrameBytes = its length', 'ping', { ts: 5 }),
      limits: { maxFrameBytes: ping.length },
    },
    invalid('depth bomb', '40 nested arrays inside the body (maxDepth 32)', deep, 'too_large'),
    invalid(
      'huge array length',
      'array32 declaring 2^32-1 entries in a 6-byte frame',
      'ddffffffff00',
      'too_large',
    ),
    invalid('huge map length', 'map32 declaring 2^32-1 entries', 'dfffffffff00', 'too_large'),
    invalid('huge string length', 'str32 declaring 4 GiB', 'dbffffffff61', 'too_large'),
    invalid(
      'declared past the end',
      'array16 declaring 1000 entries, 1 present (within the length limit)',
      'dc03e800',
      'bad_frame',
    ),
    invalid(
      'huge bin length',
      'bin32 declaring 4 GiB, 1 byte present',
      `${hex(raw({ v: 1, t: 'tx.submit', id: 1, body: { tx: bytes(1, 0) } })).replace('c40100', 'c6ffffffff00')}`,
      'bad_frame',
    ),
    invalid(
      'string past the limit',
      'a 65-byte string with maxStringBytes 64',
      raw({ v: 1, t: 'bye', id: 1, body: { reason: longString } }),
      'too_large',
      { maxStringBytes: 64 },
    ),
    invalid(
      'collection past the limit',
      'ledger.blocks with 6 blocks against maxCollectionLength 5 (the envelope map has 5 entries: at the limit)',
      raw({
        v: 1,
        t: 'ledger.blocks',
        id: 1,
        re: 1,
        body: { from: 0, blocks: [0, 1, 2, 3, 4, 5].map((i) => bytes(1, i)), tipHeight: 5, tipHash: hash(0) },
      }),
      'too_large',
      { maxCollectionLength: 5 },
    ),
  ];
}

/** File name → vectors. */
export function buildVectors(): Map<string, Vector[]> {
  return new Map([
    ['messages.json', messages()],
    ['envelope.json', envelopes()],
    ['tensors.json', tensors()],
    ['limits.json', limits()],
  ]);
}

/** Checks every vector against this implementation; throws on the first disagreement. */
export function checkVectors(vectors: Map<string, Vector[]>): void {
  for (const [file, list] of vectors) {
    for (const v of list) {
      const where = `${file}: ${v.name}`;
      const limits = resolveLimits(v.limits);
      const frame = new Uint8Array(Buffer.from(v.hex, 'hex'));
      let code: string = 'no error';
      try {
        decodeMessage(frame, { limits });
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        code = e.code;
      }
      if (v.valid !== (code === 'no error') || (!v.valid && code !== v.error)) {
        throw new Error(`${where}: expected ${v.valid ? 'success' : v.error}, got ${code}`);
      }
      if (!v.valid && !ERROR_CODE_LIST.includes(v.error!)) throw new Error(`${where}: unknown code`);
    }
  }
}

/** Replaces the vector files with freshly generated ones. */
export function writeVectors(dir = VECTOR_DIR): string[] {
  const vectors = buildVectors();
  checkVectors(vectors);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (name.endsWith('.json')) rmSync(join(dir, name));
  for (const [name, list] of vectors) writeFileSync(join(dir, name), `${JSON.stringify(list, null, 2)}\n`);
  return [...vectors.keys()];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = writeVectors();
  const all = [...buildVectors().values()].flat();
  console.log(
    `wrote ${files.length} files, ${all.length} vectors (${all.filter((v) => !v.valid).length} invalid)`,
  );
}
