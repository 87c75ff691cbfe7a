import {
  DEFAULT_LIMITS,
  decodeEnvelope,
  decodeMessage,
  type Envelope,
  encodeMessage,
  fromVectorJson,
  ProtocolError,
  resolveLimits,
  toVectorJson,
} from '@ailo/protocol';
import { CONNECTION_ENDING_CODES } from '../constants';
import { expectThat, violation } from '../errors';
import type { ConformanceCase, ConformanceSuite } from '../types';
import { slug, toHex, unhex, VECTOR_FILES } from '../vectors';
import { withSession } from '../wire/clientSession';
import { expectConnectionError } from '../wire/expectError';

/** The request id a hostile frame carries, when the envelope decodes that far. */
function idOf(bytes: Uint8Array): number | undefined {
  try {
    return decodeEnvelope(bytes.slice(), DEFAULT_LIMITS).id;
  } catch {
    return undefined;
  }
}

/**
 * Every invalid vector of spec/vectors/protocol that applies at the default
 * limits, sent over an authenticated connection: the target must answer with
 * the vector's error code, and close with its close code when the code ends
 * the connection (protocol.md §8). Role coordinator.
 */
export function wireVectorsSuite(): ConformanceSuite {
  const cases: ConformanceCase[] = [];
  for (const [file, { clause, vectors }] of Object.entries(VECTOR_FILES)) {
    for (const v of vectors) {
      if (v.valid || v.limits !== undefined || v.error === undefined) continue;
      const code = v.error;
      cases.push({
        id: `vectors.${file}.${slug(v.name)}`,
        clause,
        title: `${v.description} → ${code}`,
        run: (ctx) =>
          withSession(ctx, async ({ conn }) => {
            const bytes = unhex(v.hex);
            conn.sendRaw(bytes);
            const re = CONNECTION_ENDING_CODES.has(code) ? undefined : idOf(bytes);
            await expectConnectionError(conn, code, ctx.waitMs, `vector "${v.name}"`, re);
          }),
      });
    }
  }
  return { name: 'vectors', cases };
}

/** Deep equality of JSON values, key order ignored. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Decodes a frame with a codec under test; returns the value or the error code. */
export type FrameCodec = {
  /** decode with the §3.3 steps and the given limits; throw an error whose `code` is the §8 code */
  decode(frame: Uint8Array, limits: Record<string, number>): unknown;
  /** canonical encoding (§3.2) of a decoded value */
  encode(value: unknown): Uint8Array;
};

/** The reference codec of `@ailo/protocol`, in {@link FrameCodec} form. */
export const referenceCodec: FrameCodec = {
  decode: (frame, limits) => decodeMessage(frame, { limits: resolveLimits(limits) }),
  encode: (value) => encodeMessage(value as Envelope),
};

/**
 * Every vector of spec/vectors/protocol against a codec library (no network):
 * valid vectors decode to their value and re-encode byte for byte, invalid
 * ones fail with exactly their code (protocol.md §10). The codec's values use
 * the vector JSON conventions through `toVectorJson`/`fromVectorJson`.
 */
export function codecVectorsSuite(codec: FrameCodec = referenceCodec): ConformanceSuite {
  const cases: ConformanceCase[] = [];
  for (const [file, { vectors }] of Object.entries(VECTOR_FILES)) {
    for (const v of vectors) {
      cases.push({
        id: `codec.${file}.${slug(v.name)}`,
        clause: 'protocol.md §10',
        title: v.valid ? `${v.name} decodes and re-encodes` : `${v.name} fails with ${v.error}`,
        async run() {
          let value: unknown;
          try {
            value = codec.decode(unhex(v.hex), v.limits ?? {});
          } catch (e) {
            const code = (e as { code?: string }).code ?? ProtocolError.from(e).code;
            if (v.valid) throw violation(`valid vector failed to decode: ${code}`);
            expectThat(code === v.error, `failed with ${code}, expected ${v.error}`);
            return;
          }
          if (!v.valid) throw violation(`decoded, expected ${v.error}`);
          expectThat(sameJson(toVectorJson(value), v.value), 'decoded value differs from the vector');
          const again = toHex(codec.encode(fromVectorJson(v.value)));
          expectThat(again === v.hex, 'canonical re-encoding differs from the vector', again);
        },
      });
    }
  }
  return { name: 'codec', cases };
}
