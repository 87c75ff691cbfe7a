import fc from 'fast-check';

/**
 * Structure-aware mutations of JSON documents (manifests, safetensors headers): the result is
 * still valid JSON, so it gets past the parser and reaches the schema and cross-reference
 * checks, which byte flips alone rarely do. A node is picked by its index in a depth-first walk
 * (reduced modulo the node count, so fast-check shrinks towards the root).
 */
export type JsonMutation =
  | { kind: 'replace'; node: number; value: unknown }
  | { kind: 'delete'; node: number }
  | { kind: 'addKey'; node: number; key: string; value: unknown }
  | { kind: 'duplicate'; node: number }
  | { kind: 'wrap'; node: number };

/**
 * Nesting depth of the bombs: far past what any recursive walker survives (V8's own
 * `JSON.stringify` overflows near 5 000 levels; `JSON.parse` is iterative).
 */
export const JSON_BOMB_DEPTH = 100_000;

/** Placeholders that {@link jsonText} expands into nesting bombs (objects this deep cannot be built and serialised by recursive code, so the bomb is spliced into the text). */
const ARRAY_BOMB = '\u0000bomb:array\u0000';
const OBJECT_BOMB = '\u0000bomb:object\u0000';
const ARRAY_BOMB_TEXT = `${'['.repeat(JSON_BOMB_DEPTH)}0${']'.repeat(JSON_BOMB_DEPTH)}`;
const OBJECT_BOMB_TEXT = `${'{"a":'.repeat(JSON_BOMB_DEPTH)}0${'}'.repeat(JSON_BOMB_DEPTH)}`;

/** JSON text of `doc` with any bomb placeholders expanded. */
export function jsonText(doc: unknown): string {
  const text = JSON.stringify(doc) ?? 'null';
  return text
    .replaceAll(JSON.stringify(ARRAY_BOMB), ARRAY_BOMB_TEXT)
    .replaceAll(JSON.stringify(OBJECT_BOMB), OBJECT_BOMB_TEXT);
}

/**
 * Values that break lazy validation: integers past 2^31, 2^32, 2^53 and 2^64, negatives,
 * fractions, huge and tiny floats, wrong types, reserved keys, long strings and arrays, and a
 * nesting bomb.
 */
export const INTERESTING_JSON: readonly unknown[] = [
  0,
  1,
  -1,
  1.5,
  255,
  256,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 64,
  1e308,
  -1e308,
  5e-324,
  -0,
  '',
  '0',
  '-1',
  'F32',
  'BF16',
  'F64',
  'I32',
  'U8',
  'BOOL',
  'f32',
  '__proto__',
  '__metadata__',
  'x'.repeat(70_000),
  null,
  true,
  false,
  [],
  {},
  [0, 0],
  [2 ** 53, 2 ** 53],
  [0, 2 ** 53],
  new Array(10_000).fill(1),
  new Array(64).fill(2 ** 32 - 1),
  ARRAY_BOMB,
  OBJECT_BOMB,
];

// uniform, not biased to small indices: every field of a document is as likely to be hit
const node = fc.noBias(fc.nat({ max: 1 << 16 }));
const smallJson = fc.jsonValue({ maxDepth: 2 }).map((v) => v as unknown);
const jsonValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTERESTING_JSON) },
  { weight: 1, arbitrary: smallJson },
);
const key = fc.oneof(
  fc.constantFrom('__proto__', '__metadata__', 'constructor', '', 'dtype', 'shape', 'data_offsets', 'extra'),
  fc.string({ maxLength: 8 }),
);

/** One JSON mutation. */
export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), node, value: jsonValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), node }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('addKey' as const), node, key, value: jsonValue }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), node }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), node }) },
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every non-root position of `root`, depth first (at most `limit`). */
function slots(root: unknown, limit = 20_000): Slot[] {
  const out: Slot[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0 && out.length < limit) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        out.push({ parent: v, key: i });
        stack.push(v[i]);
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const k of Object.keys(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k });
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return out;
}

function setOwn(target: Record<string, unknown>, k: string, value: unknown): void {
  // a plain assignment to "__proto__" would change the prototype instead of adding a key
  Object.defineProperty(target, k, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one mutation to `doc` in place and returns the (possibly new) root. */
export function applyJsonMutation(doc: unknown, m: JsonMutation): unknown {
  const all = slots(doc);
  const containers = [doc, ...all.map((s) => (s.parent as Record<string, unknown>)[s.key as string])].filter(
    (v) => typeof v === 'object' && v !== null,
  );
  switch (m.kind) {
    case 'replace': {
      const value = structuredClone(m.value); // the interesting values are shared constants
      if (all.length === 0) return value;
      const s = all[m.node % all.length]!;
      if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
      else setOwn(s.parent, s.key as string, value);
      return doc;
    }
    case 'delete': {
      if (all.length === 0) return doc;
      const s = all[m.node % all.length]!;
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key as string];
      return doc;
    }
    case 'addKey': {
      if (containers.length === 0) return doc;
      const c = containers[m.node % containers.length]!;
      const value = structuredClone(m.value);
      if (Array.isArray(c)) c.push(value);
      else setOwn(c as Record<string, unknown>, m.key, value);
      return doc;
    }
    case 'duplicate': {
      const arrays = containers.filter((c): c is unknown[] => Array.isArray(c) && c.length > 0);
      if (arrays.length === 0) return doc;
      const a = arrays[m.node % arrays.length]!;
      a.push(structuredClone(a[m.node % a.length]));
      return doc;
    }
    case 'wrap': {
      if (all.length === 0) return [doc];
      const s = all[m.node % all.length]!;
      const inner = (s.parent as Record<string, unknown>)[s.key as string];
      if (Array.isArray(s.parent)) s.parent[s.key as number] = [inner];
      else setOwn(s.parent, s.key as string, [inner]);
      return doc;
    }
  }
}

/**
 * JSON text of one of `seeds` (plain JSON values, not modified) with one to three JSON mutations
 * applied, nesting bombs expanded.
 */
export function mutatedJson(seeds: readonly unknown[]): fc.Arbitrary<string> {
  if (seeds.length === 0) throw new Error('mutatedJson needs at least one seed');
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(jsonMutation, { minLength: 1, maxLength: 3 }))
    .map(([i, mutations]) => jsonText(mutations.reduce(applyJsonMutation, structuredClone(seeds[i]))));
}
