import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair } from '@ailo/ledger';
import { readKeyFile, writeKeyFile } from '@ailo/ledger/node';

/**
 * The node's key in `<dataDir>/<name>.key.json` (an `ailo wallet` key file),
 * created on first start: the same identity across restarts.
 */
export async function loadOrCreateKey(dataDir: string, name: string): Promise<KeyPair> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `${name}.key.json`);
  if (existsSync(path)) return readKeyFile(path);
  const key = generateKeyPair();
  await writeKeyFile(path, key);
  return key;
}
