import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchemas, SCHEMA_DIR } from '../scripts/gen-schemas';
import { buildVectors, VECTOR_DIR, type Vector } from '../scripts/gen-vectors';
import type { Envelope } from '../src/envelope';
import { resolveLimits } from '../src/limits';
import { decodeMessage, encodeMessage } from '../src/message';
import { fromVectorJson, toVectorJson } from '../src/vectorJson';
import { codeOf, hex, unhex } from './codeOf';

const vectorFiles = readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.json'));
const vectors: Array<[string, Vector]> = vectorFiles.flatMap((file) =>
  (JSON.parse(readFileSync(join(VECTOR_DIR, file), 'utf8')) as Vector[]).map(
    (v) => [`${file}: ${v.name}`, v] as [string, Vector],
  ),
);

describe('spec/vectors/protocol (spec §10)', () => {
  it('has at least 40 vectors, at least 15 of them invalid, with unique names', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
    expect(vectors.filter(([, v]) => !v.valid).length).toBeGreaterThanOrEqual(15);
    expect(new Set(vectors.map(([name]) => name)).size).toBe(vectors.length);
  });

  it('covers every catalogue message type with a valid vector', () => {
    const types = new Set(vectors.filter(([, v]) => v.valid).map(([, v]) => (v.value as { t: string }).t));
    const catalogue = JSON.parse(readFileSync(join(SCHEMA_DIR, 'protocol-catalogue.json'), 'utf8')) as {
      messages: Array<{ type: string }>;
    };
    for (const { type } of catalogue.messages) expect(types).toContain(type);
  });

  it.each(vectors.filter(([, v]) => v.valid))(
    '%s decodes to its value and re-encodes byte for byte',
    (_name, v) => {
      const decoded = decodeMessage(unhex(v.hex), { limits: resolveLimits(v.limits) });
      expect(toVectorJson(decoded)).toEqual(v.value);
      const rebuilt = fromVectorJson(v.value) as Envelope;
      expect(hex(encodeMessage(rebuilt))).toBe(v.hex);
    },
  );

  it.each(vectors.filter(([, v]) => !v.valid))('%s fails with its error code', (_name, v) => {
    expect(codeOf(() => decodeMessage(unhex(v.hex), { limits: resolveLimits(v.limits) }))).toBe(v.error);
  });

  it('matches what scripts/gen-vectors.ts generates (run `pnpm gen:vectors` if this fails)', () => {
    const fresh = buildVectors();
    expect(vectorFiles.sort()).toEqual([...fresh.keys()].sort());
    for (const [file, list] of fresh) {
      expect(readFileSync(join(VECTOR_DIR, file), 'utf8'), file).toBe(`${JSON.stringify(list, null, 2)}\n`);
    }
  });
});

describe('spec/schemas (generated from TypeBox)', () => {
  it('is up to date (run `pnpm gen:schemas` if this fails)', () => {
    const fresh = renderSchemas();
    const onDisk = readdirSync(SCHEMA_DIR).filter((f) => f.startsWith('protocol-'));
    expect(onDisk.sort()).toEqual([...fresh.keys()].sort());
    for (const [file, text] of fresh) expect(readFileSync(join(SCHEMA_DIR, file), 'utf8'), file).toBe(text);
  });
});
