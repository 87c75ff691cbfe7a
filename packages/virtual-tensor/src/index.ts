export { buildManifest, chunkFileName } from './buildManifest';
export * from './constants';
export { convertBytes } from './convertBytes';
export {
  byteLength,
  DTYPES,
  type DType,
  type FloatDType,
  fromSafetensorsDType,
  isDType,
  itemSize,
  numElements,
  toSafetensorsDType,
} from './dtype';
export {
  isVirtualTensorError,
  VirtualTensorError,
  type VirtualTensorErrorCode,
  type VirtualTensorErrorOptions,
} from './errors';
export { exportSafetensors } from './exportSafetensors';
export { fetchManifest } from './fetchManifest';
export { f16BitsToNumber, f32BitsToBf16Bits, f32BitsToF16Bits } from './halfFloat';
export type { ByteSink } from './http/ByteSink';
export { type FetchResumableOptions, type FetchResumableResult, fetchResumable } from './http/fetchResumable';
export { MemorySink } from './http/MemorySink';
export {
  backoffDelay,
  parseRetryAfter,
  RetryableFailure,
  type RetryOptions,
  withRetries,
} from './http/withRetries';
export { type HubRequestContext, type HubRetryOutcome, hubRetryError, hubStatusError } from './hub/hubErrors';
export { type HubRef, hubFileUrl, hubRef } from './hub/hubRef';
export {
  type HubFileInfo,
  type HubRequestOptions,
  hubAuthHeaders,
  resolveHubFile,
} from './hub/resolveHubFile';
export { inferModelConfig, type NamedShape } from './inferModelConfig';
export {
  buildLayerIndex,
  chunksForLayers,
  layerTensorNames,
  layerTensorsByLocalName,
  type StageParts,
  tensorsForLayers,
} from './layerIndex';
export { manifestJsonSchemaText } from './manifestJsonSchema';
export {
  DTypeSchema,
  type Manifest,
  type ManifestChunk,
  ManifestChunkSchema,
  ManifestSchema,
  type ManifestSpan,
  type ManifestTensor,
  ManifestTensorSchema,
  ModelConfigSchema,
  SegmentSchema,
} from './manifestSchema';
export {
  ARCHITECTURES,
  type Architecture,
  type ModelConfig,
  type ModelConfigInput,
  makeModelConfig,
  modelConfigFromHf,
  toHfConfig,
} from './modelConfig';
export { canonicalOrder, modelTensors, parameterCount, type TensorSpec } from './modelTensors';
export { type PackedModel, type PackTensorsOptions, packTensors } from './packTensors';
export {
  type ChunkLayout,
  chunkCount,
  type LayoutInput,
  type PlacedTensor,
  type PlannedChunk,
  type PlanOptions,
  planLayout,
  type Segment,
} from './planLayout';
export { type ModelPlan, type PlanModelOptions, planModel } from './planModel';
export {
  type ChunkPiece,
  chunkPieces,
  type PackLayoutOptions,
  type PackPlan,
  preparePack,
  type SourceTensorInfo,
} from './preparePack';
export { PRESET_NAMES, PRESETS, type PresetName, presetConfig } from './presets';
export {
  encodeSafetensors,
  encodeSafetensorsHeader,
  type ParseSafetensorsOptions,
  parseSafetensors,
  parseSafetensorsHeaderJson,
  readSafetensorsHeaderLength,
  type SafetensorsFile,
  type SafetensorsHeader,
  sortedTensorEntries,
  type TensorEntry,
} from './safetensors';
export { createSha256, type HashFn, nobleSha256Hex, type Sha256Stream, sha256Hex } from './sha256';
export {
  assertChunkKey,
  type ChunkGetOptions,
  type ChunkProgress,
  type ChunkStore,
} from './stores/ChunkStore';
export { HttpStore, type HttpStoreOptions } from './stores/HttpStore';
export { IdbStore, type IdbStoreOptions } from './stores/IdbStore';
export { MemoryStore } from './stores/MemoryStore';
export {
  classifyTensorName,
  isNonParameterBuffer,
  stagePosition,
  type TensorGroup,
  type TensorRole,
  TOKEN_EMBEDDING_LOCAL_NAMES,
} from './tensorGroups';
export { convertEntry, float32ToEntry, fromFloat32, toFloat32 } from './toFloat32';
export {
  type LoadOptions,
  openModel,
  VirtualModel,
  type VirtualModelOptions,
  type VirtualModelStats,
} from './VirtualModel';
export { parseManifest, validateManifest } from './validateManifest';
