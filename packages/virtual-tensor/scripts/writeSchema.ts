// Regenerates spec/schemas/virtual-tensor-manifest.json from the TypeBox schema.
// Run: npx tsx packages/virtual-tensor/scripts/writeSchema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestJsonSchemaText } from '../src/manifestJsonSchema';

const target = fileURLToPath(new URL('../../../spec/schemas/virtual-tensor-manifest.json', import.meta.url));
writeFileSync(target, manifestJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
