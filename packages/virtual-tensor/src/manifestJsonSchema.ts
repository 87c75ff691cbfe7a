import { ManifestSchema } from './manifestSchema';

/**
 * The manifest JSON Schema as the text stored in
 * `spec/schemas/virtual-tensor-manifest.json` (draft-07, 2-space indent).
 */
export function manifestJsonSchemaText(): string {
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...ManifestSchema }, null, 2)}\n`;
}
