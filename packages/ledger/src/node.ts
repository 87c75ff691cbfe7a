/**
 * `@ailo/ledger/node`: Node-only parts — LevelDB storage (`classic-level`), the `node:crypto`
 * fast verifier, and wallet key files.
 * @module
 */
export { classicStore, ledgerDir } from './node/classicStore';
export {
  createKeyFile,
  type KeyFile,
  openKeyFile,
  parseKeyFile,
  readKeyFile,
  writeKeyFile,
} from './node/keyFile';
export { installNodeCrypto, nodeSha256 } from './node/nodeCrypto';
export { nodeVerifier } from './node/nodeVerifier';
