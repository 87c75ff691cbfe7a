export type { Backend, BackendName, CompiledGraph, HostTensor } from './backends/backend';
export { createOrtBackend, type OrtBackendOptions, type OrtModule } from './backends/ortBackend';
export { createRefBackend } from './backends/refBackend';
export { DEFAULT_PREFILL_CHUNK, MASK_BIAS, OPSET_VERSION } from './constants';
export { PipelineError, type PipelineErrorCode } from './errors';
export {
  type Architecture,
  checkRunnable,
  type LayerSpan,
  type ModelConfig,
  parseHfConfig,
  SUPPORTED_ARCHITECTURES,
} from './families/config';
export type { Family, WeightFormat } from './families/family';
export { FAMILIES } from './families/index';
export { weightsFromEntries, weightsFromSafetensors } from './families/loadWeights';
export type { Weight, WeightMap } from './families/weights';
export {
  applyChatTemplate,
  CHATML_TEMPLATE,
  type ChatMessage,
  type ChatTemplateOptions,
  defaultChatTemplate,
  PLAIN_TEMPLATE,
} from './generate/chatTemplate';
export {
  type FinishReason,
  type GeneratedToken,
  type GenerateOptions,
  type GenerationResult,
  generate,
  generateAll,
} from './generate/generate';
export { checkSampling, type SamplingOptions, sampleToken, seededRandom } from './generate/sampling';
export { gpt2Tokenizer, type TextTokenizer, tokenizerFromJson } from './generate/tokenizer';
export { type AttrValue, type Graph, GraphBuilder, type Node, OP_TYPES, type OpType } from './ir/graph';
export { type EmittedModel, emitOnnx } from './onnx/emit';
export {
  footprintModel,
  type Partition,
  type PartitionOptions,
  type PlanNode,
  type PlannedStage,
  partitionLayers,
  type StageFootprint,
} from './plan/partitionLayers';
export { INT8_BLOCK_SIZE, type Int8Weight, quantizeInt8 } from './quantize/quantizeInt8';
export { executeGraph } from './ref/execute';
export type { RefTensor } from './ref/tensor';
export { attentionBias, positionIds } from './runtime/attentionBias';
export { Stage, type StageForward, type StageOptions } from './runtime/stage';
export { evenSpans, type LogitsSource, StageChain } from './runtime/stageChain';
export { type BuildStageOptions, buildStageGraph, type StageGraph } from './stage/buildStageGraph';
export { type StageIo, stageIo } from './stage/stageIo';
export * from './train/index';
