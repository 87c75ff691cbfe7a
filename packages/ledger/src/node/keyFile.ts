import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { type Address, decodeAddress } from '../address';
import { LedgerError } from '../errors';
import { type KeyPair, keyPairFromSecretKey } from '../keys';

/**
 * Wallet key file (JSON, file mode 0600). Plain files hold the 32-byte seed in hex; encrypted
 * files hold it sealed with AES-256-GCM under a scrypt key (N = 2^15, r = 8, p = 1), with the
 * address as associated data so a ciphertext cannot be moved to another address.
 */
export interface KeyFile {
  version: 1;
  type: 'ailo-ed25519';
  address: Address;
  /** 32-byte public key, hex. */
  publicKey: string;
  /** 32-byte seed, hex (plain files only). */
  secretKey?: string;
  encrypted?: {
    kdf: 'scrypt';
    N: number;
    r: number;
    p: number;
    salt: string;
    cipher: 'aes-256-gcm';
    iv: string;
    ciphertext: string;
    tag: string;
  };
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;
const SCRYPT_MAXMEM = 128 * 1024 * 1024; // bytes; scrypt needs 128·N·r = 32 MiB here

function deriveKey(passphrase: string, salt: Uint8Array, N: number, r: number, p: number): Buffer {
  return scryptSync(passphrase.normalize('NFKC'), salt, 32, { N, r, p, maxmem: SCRYPT_MAXMEM });
}

/** Builds the key-file JSON for `key`, encrypted when `passphrase` is given. */
export function createKeyFile(key: KeyPair, passphrase?: string): KeyFile {
  const base = {
    version: 1 as const,
    type: 'ailo-ed25519' as const,
    address: key.address,
    publicKey: bytesToHex(key.publicKey),
  };
  if (passphrase === undefined) return { ...base, secretKey: bytesToHex(key.secretKey) };
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p), iv);
  cipher.setAAD(Buffer.from(key.address, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(key.secretKey), cipher.final()]);
  return {
    ...base,
    encrypted: {
      kdf: 'scrypt',
      ...SCRYPT,
      salt: salt.toString('hex'),
      cipher: 'aes-256-gcm',
      iv: iv.toString('hex'),
      ciphertext: ciphertext.toString('hex'),
      tag: cipher.getAuthTag().toString('hex'),
    },
  };
}

/**
 * Writes a key file with mode 0600; refuses to replace an existing file unless `overwrite`.
 * @throws {LedgerError} `KEY_FILE_EXISTS`
 */
export async function writeKeyFile(
  path: string,
  key: KeyPair,
  options: { passphrase?: string; overwrite?: boolean } = {},
): Promise<KeyFile> {
  const file = createKeyFile(key, options.passphrase);
  try {
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, {
      mode: 0o600,
      flag: options.overwrite ? 'w' : 'wx',
    });
  } catch (cause) {
    if ((cause as { code?: string }).code === 'EEXIST') {
      throw new LedgerError('KEY_FILE_EXISTS', 'A key file already exists at this path.', {
        details: path,
        cause,
      });
    }
    throw cause;
  }
  await chmod(path, 0o600); // also when an existing file with wider permissions was replaced
  return file;
}

/**
 * Parses and checks a key file's JSON without decrypting it.
 * @throws {LedgerError} `KEY_FILE_MALFORMED`
 */
export function parseKeyFile(text: string): KeyFile {
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch (cause) {
    throw new LedgerError('KEY_FILE_MALFORMED', 'Key file is not JSON.', { cause });
  }
  const hex = (v: unknown, bytes: number): boolean =>
    typeof v === 'string' && new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(v);
  const e = file?.encrypted;
  const ok =
    file !== null &&
    typeof file === 'object' &&
    file.version === 1 &&
    file.type === 'ailo-ed25519' &&
    hex(file.publicKey, 32) &&
    (e === undefined
      ? hex(file.secretKey, 32)
      : file.secretKey === undefined &&
        e.kdf === 'scrypt' &&
        e.cipher === 'aes-256-gcm' &&
        [e.N, e.r, e.p].every((n) => Number.isSafeInteger(n) && n > 0) &&
        e.N <= 1 << 20 &&
        hex(e.salt, 16) &&
        hex(e.iv, 12) &&
        hex(e.ciphertext, 32) &&
        hex(e.tag, 16));
  if (!ok) throw new LedgerError('KEY_FILE_MALFORMED', 'Key file does not have the expected fields.');
  try {
    if (bytesToHex(decodeAddress(file.address)) !== file.publicKey)
      throw new Error('address/publicKey mismatch');
  } catch (cause) {
    throw new LedgerError('KEY_FILE_MALFORMED', 'Key file address does not match its public key.', { cause });
  }
  return file;
}

/**
 * Opens a parsed key file. Checks that the seed derives the stored address.
 * @throws {LedgerError} `KEY_FILE_PASSPHRASE_REQUIRED`, `KEY_FILE_DECRYPT_FAILED`, `KEY_FILE_MALFORMED`
 */
export function openKeyFile(file: KeyFile, passphrase?: string): KeyPair {
  let seed: Uint8Array;
  if (file.encrypted) {
    if (passphrase === undefined) {
      throw new LedgerError('KEY_FILE_PASSPHRASE_REQUIRED', 'Key file is encrypted; a passphrase is needed.');
    }
    const e = file.encrypted;
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        deriveKey(passphrase, hexToBytes(e.salt), e.N, e.r, e.p),
        hexToBytes(e.iv),
      );
      decipher.setAAD(Buffer.from(file.address, 'utf8'));
      decipher.setAuthTag(hexToBytes(e.tag));
      seed = new Uint8Array(Buffer.concat([decipher.update(hexToBytes(e.ciphertext)), decipher.final()]));
    } catch (cause) {
      throw new LedgerError('KEY_FILE_DECRYPT_FAILED', 'Wrong passphrase or damaged key file.', { cause });
    }
  } else {
    seed = hexToBytes(file.secretKey!);
  }
  const key = keyPairFromSecretKey(seed);
  if (key.address !== file.address) {
    throw new LedgerError('KEY_FILE_MALFORMED', 'Key file secret does not match its address.');
  }
  return key;
}

/** Reads and opens a key file. @throws {LedgerError} see {@link parseKeyFile} and {@link openKeyFile} */
export async function readKeyFile(path: string, options: { passphrase?: string } = {}): Promise<KeyPair> {
  return openKeyFile(parseKeyFile(await readFile(path, 'utf8')), options.passphrase);
}
