import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import {
  buildTransaction,
  decodeTransaction,
  joinSignature,
  type KeyPair,
  type SignedTransaction,
  type TransactionInput,
  transactionSigningBytes,
} from '../src/index';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const keys = new Map<string, ReturnType<typeof createPrivateKey>>();

/**
 * Test-only signer on node:crypto. Ed25519 signatures are deterministic (RFC 8032), so this
 * yields byte-identical transactions to `signTransaction`, only faster.
 */
export function fastSign(
  key: KeyPair,
  input: Omit<TransactionInput, 'from'>,
  chainId = 'ailo-test',
): SignedTransaction {
  let pk = keys.get(key.address);
  if (!pk) {
    pk = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, key.secretKey]),
      format: 'der',
      type: 'pkcs8',
    });
    keys.set(key.address, pk);
  }
  const tx = buildTransaction({ ...input, from: key.address });
  const sb = transactionSigningBytes(tx, chainId);
  return decodeTransaction(joinSignature(sb, cryptoSign(null, sb, pk)), chainId);
}
