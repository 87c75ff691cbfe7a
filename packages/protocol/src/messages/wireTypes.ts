import { Kind, type TSchema, type TUnsafe, Type, TypeRegistry } from '@sinclair/typebox';
import { MAX_TENSOR_RANK } from '../constants';
import { DTYPES, type DType } from '../dtype';
import { ERROR_CODE_LIST } from '../errorCodes';
import { elementCount, type Tensor, tensorProblem } from '../tensor';

/** Custom schema of a MessagePack `bin` (spec §3.1); `x-ailo` names the wire type in spec/schemas. */
export interface TBin extends TUnsafe<Uint8Array> {
  'x-ailo': 'bin';
  minBytes?: number;
  maxBytes?: number;
}

/** Custom schema of a tensor extension value (spec §4). */
export interface TTensor extends TUnsafe<Tensor> {
  'x-ailo': 'tensor';
  dtypes?: DType[];
  maxRank?: number;
  maxElements?: number;
}

let registered = false;

/** Registers the custom kinds with TypeBox once, on first use (keeps the module free of import side effects). */
function registerKinds(): void {
  if (registered) return;
  registered = true;
  TypeRegistry.Set<TBin>('AiloBin', (schema, value) => {
    if (!(value instanceof Uint8Array)) return false;
    if (schema.minBytes !== undefined && value.length < schema.minBytes) return false;
    return schema.maxBytes === undefined || value.length <= schema.maxBytes;
  });
  TypeRegistry.Set<TTensor>('AiloTensor', (schema, value) => {
    if (tensorProblem(value) !== undefined) return false;
    const t = value as Tensor;
    if (schema.dtypes !== undefined && !schema.dtypes.includes(t.dtype)) return false;
    if (schema.maxRank !== undefined && t.shape.length > schema.maxRank) return false;
    return schema.maxElements === undefined || elementCount(t.shape) <= schema.maxElements;
  });
}

/** A byte string, optionally bounded (bytes). */
export function Bin(options: { minBytes?: number; maxBytes?: number; description?: string } = {}): TBin {
  registerKinds();
  return Type.Unsafe<Uint8Array>({ [Kind]: 'AiloBin', 'x-ailo': 'bin', ...options }) as TBin;
}

/** Exactly `n` bytes. */
export function FixedBin(n: number, description?: string): TBin {
  return Bin(
    description === undefined ? { minBytes: n, maxBytes: n } : { minBytes: n, maxBytes: n, description },
  );
}

/** A tensor, optionally restricted in dtype, rank or element count. */
export function TensorSchema(
  options: { dtypes?: DType[]; maxRank?: number; maxElements?: number; description?: string } = {},
): TTensor {
  registerKinds();
  return Type.Unsafe<Tensor>({
    [Kind]: 'AiloTensor',
    'x-ailo': 'tensor',
    maxRank: MAX_TENSOR_RANK,
    ...options,
  }) as TTensor;
}

/** u32 (request ids, heights within a session). */
export const U32 = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: 0xffff_ffff, ...(description === undefined ? {} : { description }) });

/** A non-negative safe integer (counts, byte sizes, unix milliseconds). */
export const UInt = (description?: string) =>
  Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    ...(description === undefined ? {} : { description }),
  });

/** A short identifier or label: 1–256 characters. */
export const Name = (description?: string) =>
  Type.String({ minLength: 1, maxLength: 256, ...(description === undefined ? {} : { description }) });

/** A SHA-256 digest. */
export const Hash32 = (description = 'SHA-256 digest') => FixedBin(32, description);

/** An Ed25519 public key (RFC 8032, 32 bytes). */
export const PublicKey = () => FixedBin(32, 'Ed25519 public key');

/** An Ed25519 signature (RFC 8032, 64 bytes). */
export const Signature = () => FixedBin(64, 'Ed25519 signature');

/** One of the error codes of spec §8. */
export const ErrorCodeSchema = Type.Union(
  ERROR_CODE_LIST.map((c) => Type.Literal(c)),
  { description: 'error code (spec §8)' },
);

/** A dtype name. */
export const DTypeSchema = Type.Union(
  DTYPES.map((d) => Type.Literal(d)),
  { description: 'tensor dtype' },
);

/** Whether a schema is one of this package's custom kinds. */
export function isWireKind(schema: TSchema): schema is TBin | TTensor {
  return schema[Kind] === 'AiloBin' || schema[Kind] === 'AiloTensor';
}
