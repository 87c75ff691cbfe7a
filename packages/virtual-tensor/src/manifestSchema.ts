import { type Static, Type } from '@sinclair/typebox';
import { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION } from './constants';

const UInt = Type.Integer({ minimum: 0 });
const PosInt = Type.Integer({ minimum: 1 });

/** JSON Schema of a tensor dtype. */
export const DTypeSchema = Type.Union(
  ['f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'i8', 'bool'].map((d) => Type.Literal(d)),
  { description: 'element type; bytes are little-endian' },
);

/** JSON Schema of the model config stored in a manifest (see `ModelConfig`). */
export const ModelConfigSchema = Type.Object(
  {
    architecture: Type.Union([Type.Literal('gpt2'), Type.Literal('llama'), Type.Literal('qwen2')]),
    numLayers: PosInt,
    hiddenSize: PosInt,
    numHeads: PosInt,
    numKvHeads: PosInt,
    headDim: PosInt,
    intermediateSize: PosInt,
    vocabSize: PosInt,
    maxPositions: PosInt,
    normEps: Type.Number({ exclusiveMinimum: 0 }),
    tieWordEmbeddings: Type.Boolean(),
    attentionBias: Type.Boolean(),
    activation: Type.String(),
    ropeTheta: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    hf: Type.Record(Type.String(), Type.Unknown(), { description: 'Hugging Face config.json fields' }),
  },
  { additionalProperties: false },
);

/** JSON Schema of one tensor segment. */
export const SegmentSchema = Type.Object(
  {
    chunk: UInt,
    offset: Type.Integer({ minimum: 0, description: 'bytes from the chunk start' }),
    length: Type.Integer({ minimum: 0, description: 'bytes' }),
  },
  { additionalProperties: false },
);

/** JSON Schema of one tensor table entry. */
export const ManifestTensorSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    dtype: DTypeSchema,
    shape: Type.Array(UInt),
    group: Type.Union([Type.Literal('embed'), Type.Literal('layer'), Type.Literal('head')]),
    layer: Type.Optional(UInt),
    segments: Type.Array(SegmentSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** JSON Schema of one chunk table entry. */
export const ManifestChunkSchema = Type.Object(
  {
    id: UInt,
    file: Type.String({ pattern: '^[A-Za-z0-9._-]+$', description: 'file name / store key of the chunk' }),
    bytes: UInt,
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    layers: Type.Tuple([Type.Integer({ minimum: -1 }), Type.Integer({ minimum: -1 })], {
      description: 'first and last stage position held: embeddings -1, blocks 0…L-1, head L',
    }),
  },
  { additionalProperties: false },
);

const SpanSchema = Type.Object(
  { tensors: Type.Array(Type.String()), chunks: Type.Array(UInt) },
  { additionalProperties: false },
);

/** JSON Schema of a VirtualTensor manifest (`spec/virtual-tensor.md` §2). */
export const ManifestSchema = Type.Object(
  {
    format: Type.Literal(MANIFEST_FORMAT),
    version: Type.Literal(MANIFEST_FORMAT_VERSION),
    model: ModelConfigSchema,
    dtype: DTypeSchema,
    params: Type.Integer({ minimum: 0, description: 'total tensor elements' }),
    totalBytes: Type.Integer({ minimum: 0, description: 'sum of chunk bytes' }),
    metadata: Type.Record(Type.String(), Type.String(), {
      description: 'safetensors __metadata__ of the source',
    }),
    chunks: Type.Array(ManifestChunkSchema, { minItems: 1 }),
    tensors: Type.Array(ManifestTensorSchema),
    index: Type.Object(
      {
        embeddings: SpanSchema,
        head: SpanSchema,
        layers: Type.Array(SpanSchema),
      },
      { additionalProperties: false, description: 'tensors and chunks needed per pipeline stage' },
    ),
  },
  {
    $id: 'https://ailo.network/schemas/virtual-tensor-manifest.json',
    title: 'Ailo VirtualTensor manifest',
    additionalProperties: false,
  },
);

/** A VirtualTensor manifest. */
export type Manifest = Static<typeof ManifestSchema>;
/** One tensor of a {@link Manifest}. */
export type ManifestTensor = Static<typeof ManifestTensorSchema>;
/** One chunk of a {@link Manifest}. */
export type ManifestChunk = Static<typeof ManifestChunkSchema>;
/** Tensors and chunks one pipeline stage part needs. */
export type ManifestSpan = Static<typeof SpanSchema>;
