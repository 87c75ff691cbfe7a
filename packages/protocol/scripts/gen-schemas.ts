/**
 * Writes spec/schemas/protocol-*.json from the TypeBox definitions: one file per message type, the
 * envelope, and a catalogue index. `pnpm --filter @ailo/protocol gen:schemas`; a test fails when the
 * checked-in files differ from what this renders.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import { MAX_TYPE_BYTES, PROTOCOL_VERSION } from '../src/constants';
import { CATALOGUE } from '../src/messages/catalogue';
import { U32 } from '../src/messages/wireTypes';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../spec/schemas');
const PREFIX = 'protocol-';
const BASE_ID = 'https://ailo.network/spec/schemas/';

const EnvelopeSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    t: Type.String({ minLength: 1, description: `message type, at most ${MAX_TYPE_BYTES} UTF-8 bytes` }),
    id: U32('sender-chosen message id'),
    re: Type.Optional(U32('id of the request this message answers')),
    body: Type.Object({}, { description: 'a map; its schema is chosen by t' }),
  },
  { additionalProperties: false },
);

function render(value: object): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** File name → contents of every protocol schema file. */
export function renderSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    `${PREFIX}envelope.json`,
    render({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${BASE_ID}${PREFIX}envelope.json`,
      title: 'envelope',
      description: 'One MessagePack map per WebSocket binary frame (spec/protocol.md §3).',
      ...EnvelopeSchema,
    }),
  );
  const index: Array<Record<string, string>> = [];
  for (const spec of CATALOGUE) {
    const file = `${PREFIX}${spec.type}.json`;
    files.set(
      file,
      render({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `${BASE_ID}${file}`,
        title: spec.type,
        description: `${spec.description} (${spec.family}, ${spec.kind}${spec.reply ? `, replied by ${spec.reply}` : ''})`,
        ...spec.schema,
      }),
    );
    const entry: Record<string, string> = {
      type: spec.type,
      family: spec.family,
      kind: spec.kind,
      schema: file,
    };
    if (spec.reply !== undefined) entry.reply = spec.reply;
    index.push(entry);
  }
  files.set(`${PREFIX}catalogue.json`, render({ version: PROTOCOL_VERSION, messages: index }));
  return files;
}

/** Replaces the protocol schema files in `dir` with freshly rendered ones. */
export function writeSchemas(dir = SCHEMA_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (name.startsWith(PREFIX)) rmSync(join(dir, name));
  const files = renderSchemas();
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return [...files.keys()];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`wrote ${writeSchemas().length} files to ${SCHEMA_DIR}`);
}
