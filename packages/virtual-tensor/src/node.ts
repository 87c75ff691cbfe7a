export { exportSafetensorsFile } from './node/exportSafetensorsFile';
export { FsStore, type FsStoreOptions } from './node/FsStore';
export { ioError } from './node/ioError';
export { createNodeSha256, nodeSha256Hex } from './node/nodeSha256';
export { acquirePackLock, type PackLock } from './node/packLock';
export {
  type PackFs,
  type PackModelOptions,
  type PackProgress,
  type PackResult,
  packModel,
  resolvePackConfig,
} from './node/packModel';
export { type Checkpoint, type CheckpointTensor, readCheckpoint } from './node/readCheckpoint';
export { openModelDir, readManifest } from './node/readManifest';
export { readFully, readSafetensorsFileHeader } from './node/readSafetensorsFile';
