export { type Contribution, materialize } from './autodiff/contribution';
export { type DifferentiateOptions, differentiate } from './autodiff/differentiate';
export { reduceTo } from './autodiff/reduceTo';
export type { GradContext, GradRule } from './autodiff/rules/gradRule';
export { GRAD_RULES } from './autodiff/rules/index';
export {
  buildTrainingGraph,
  type TrainingGraph,
  type TrainingGraphMode,
  type TrainingGraphOptions,
} from './buildTrainingGraph';
export { ADAMW_DEFAULTS, GRAD_PREFIX, IGNORE_INDEX, INIT_STD } from './constants';
export { type CrossEntropyLoss, nextTokenCrossEntropy } from './crossEntropy';
export {
  BROWN_GENRES,
  type BrownDocument,
  type BrownGenre,
  brownGenreOf,
  stripBrownTags,
} from './data/brownCorpus';
export { type BatchOptions, makeBatches } from './data/makeBatches';
export { type PackOptions, packSequences } from './data/packSequences';
export { seededShuffle } from './data/seededShuffle';
export { type TextDataset, type TextDatasetOptions, textDataset } from './data/textDataset';
export { GPT2_EOS_ID, tokenizeText } from './data/tokenizeText';
export { type ElemType, inferNode } from './graph/inferNode';
export { ShapedGraph } from './graph/shapedGraph';
export { initializeWeights } from './initializeWeights';
export { LocalTrainer, type LocalTrainerOptions, type TrainStepResult } from './localTrainer';
export { AdamW, type AdamWOptions } from './optimizer/adamW';
export { checkFinite } from './optimizer/checkFinite';
export { clipGradNorm, clipScale, globalGradNorm } from './optimizer/clipGradNorm';
export { type LrSchedule, learningRate } from './optimizer/learningRate';
export {
  checkOptimizerOptions,
  DEFAULT_MAX_GRAD_NORM,
  DEFAULT_MIN_LR_RATIO,
  type OptimizerOptions,
} from './optimizerOptions';
export { type PreparedBatch, prepareBatch, type TokenBatch } from './tokenBatch';
export { type BatchGradients, TrainingPipeline, type TrainingPipelineOptions } from './trainingPipeline';
export {
  type GradArray,
  type StageGradients,
  TrainingStage,
  type TrainingStageOptions,
} from './trainingStage';
export {
  type LocalTrainingMetrics,
  type LocalTrainingOptions,
  type LocalTrainingResult,
  type TrainingProgress,
  trainLocal,
} from './trainLocal';
