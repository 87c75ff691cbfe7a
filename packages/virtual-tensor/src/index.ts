export * from './constants';
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
export { f16BitsToNumber, f32BitsToBf16Bits, f32BitsToF16Bits } from './halfFloat';
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
export { convertEntry, float32ToEntry, fromFloat32, toFloat32 } from './toFloat32';
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
