import { Kind, type TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { DTYPE_ARRAY, DTYPES, type DType } from '../src/dtype';
import type { TBin, TTensor } from '../src/messages/wireTypes';
import type { Tensor } from '../src/tensor';

/** Random bytes of the given length range. */
export const bytes = (min = 0, max = 64) => fc.uint8Array({ minLength: min, maxLength: max });

/** A random tensor of one of `dtypes`, rank ≤ `maxRank`, at most ~64 elements. */
export function tensorArb(dtypes: readonly DType[] = DTYPES, maxRank = 4): fc.Arbitrary<Tensor> {
  return fc
    .record({
      dtype: fc.constantFrom(...dtypes),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: maxRank }),
    })
    .chain(({ dtype, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const itemBytes = new DTYPE_ARRAY[dtype](0).BYTES_PER_ELEMENT;
      return bytes(n * itemBytes, n * itemBytes).map((raw) => {
        if (dtype === 'bool') for (let i = 0; i < raw.length; i++) raw[i]! &= 1;
        const data = new DTYPE_ARRAY[dtype](raw.buffer, 0, n);
        return { dtype, shape, data } as Tensor;
      });
    });
}

/** Arbitrary values of a TypeBox schema, for the kinds the catalogue uses. */
export function arbitraryOf(schema: TSchema): fc.Arbitrary<unknown> {
  switch (schema[Kind]) {
    case 'AiloBin': {
      const s = schema as TBin;
      return bytes(s.minBytes ?? 0, Math.min(s.maxBytes ?? 64, 64));
    }
    case 'AiloTensor': {
      const s = schema as TTensor;
      return tensorArb(s.dtypes ?? DTYPES, Math.min(s.maxRank ?? 8, 4));
    }
    case 'Object': {
      const required = new Set<string>(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(schema.properties as Record<string, TSchema>)) {
        model[key] = arbitraryOf(value);
      }
      return fc.record(model, { requiredKeys: [...required] });
    }
    case 'Array':
      return fc.array(arbitraryOf(schema.items), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'Record': {
      const [pattern, value] = Object.entries(schema.patternProperties as Record<string, TSchema>)[0]!;
      const key =
        pattern === '^.*$' ? fc.string({ minLength: 1, maxLength: 12 }) : fc.string({ minLength: 1 });
      return fc.dictionary(key, arbitraryOf(value), { maxKeys: 3 });
    }
    case 'Union':
      return fc.oneof(...(schema.anyOf as TSchema[]).map(arbitraryOf));
    case 'Literal':
      return fc.constant(schema.const);
    case 'String':
      if (schema.pattern === '^[0-9a-f]{64}$')
        return bytes(32, 32).map((b) => Buffer.from(b).toString('hex'));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 16, 16) });
    case 'Integer':
      return fc.integer({
        min: schema.minimum ?? Number.MIN_SAFE_INTEGER,
        max: schema.maximum ?? Number.MAX_SAFE_INTEGER,
      });
    case 'Number':
      return fc.double({
        noNaN: true,
        min: schema.exclusiveMinimum === undefined ? -1e300 : schema.exclusiveMinimum + Number.EPSILON,
        max: 1e300,
      });
    case 'Boolean':
      return fc.boolean();
    default:
      throw new Error(`no arbitrary for schema kind ${String(schema[Kind])}`);
  }
}
