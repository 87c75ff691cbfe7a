export { exportSafetensorsFile } from './node/exportSafetensorsFile';
export { FsStore, type FsStoreOptions } from './node/FsStore';
export {
  type DownloadedFile,
  type DownloadFs,
  type DownloadHubFileOptions,
  downloadHubFile,
} from './node/hub/downloadHubFile';
export { FileSink, type SinkFs } from './node/hub/FileSink';
export {
  HUB_DOWNLOAD_SUFFIX,
  HUB_KEPT_DIR,
  HUB_OPTIONAL_FILES,
  type PullFs,
  type PullModelOptions,
  type PullProgress,
  type PullResult,
  pullModel,
} from './node/hub/pullModel';
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
