import { Type } from '@sinclair/typebox';
import { message } from './MessageSpec';
import { Bin, Hash32, Name, UInt } from './wireTypes';

export const ModelManifestBody = Type.Object({ model: Name('model id') });
export const ModelManifestDataBody = Type.Object({
  model: Name(),
  manifest: Bin({ minBytes: 2, description: 'UTF-8 JSON manifest, spec/virtual-tensor.md' }),
  sha256: Hash32('SHA-256 of `manifest`'),
});
export const ModelChunkBody = Type.Object({
  model: Name(),
  chunk: Name('chunk id from the manifest'),
  offset: UInt('first byte wanted'),
  length: Type.Integer({ minimum: 1, maximum: 64 * 1024 * 1024, description: 'bytes wanted' }),
});
export const ModelChunkDataBody = Type.Object({
  model: Name(),
  chunk: Name(),
  offset: UInt('offset of data[0] in the chunk'),
  total: UInt('chunk size, bytes'),
  data: Bin(),
});

/** Model family (spec §9.5): manifests and byte ranges of weight chunks. */
export const MODEL_MESSAGES = [
  message({
    type: 'model.manifest',
    family: 'model',
    kind: 'request',
    reply: 'model.manifest.data',
    schema: ModelManifestBody,
    description: 'ask for a model manifest',
  }),
  message({
    type: 'model.manifest.data',
    family: 'model',
    kind: 'reply',
    schema: ModelManifestDataBody,
    description: 'the manifest bytes',
  }),
  message({
    type: 'model.chunk',
    family: 'model',
    kind: 'request',
    reply: 'model.chunk.data',
    schema: ModelChunkBody,
    description: 'ask for a byte range of a chunk (chunks may exceed one frame)',
  }),
  message({
    type: 'model.chunk.data',
    family: 'model',
    kind: 'reply',
    schema: ModelChunkDataBody,
    description: 'the bytes; shorter than asked at the chunk end',
  }),
];
