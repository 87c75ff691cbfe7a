import { bech32m } from '@scure/base';
import { ADDRESS_HRP, PUBLIC_KEY_BYTES } from './constants';
import { LedgerError } from './errors';

/** An account address: `ailo1` + bech32m of the 32-byte Ed25519 public key (spec §2). */
export type Address = `ailo1${string}`;

/** Length of every address in characters: hrp + `1` + 52 data + 6 checksum characters. */
export const ADDRESS_LENGTH = 63;

const CACHE_LIMIT = 65_536; // entries per direction; a cache is cleared when full
const byKey = new Map<string, Address>();
const byAddress = new Map<string, Uint8Array>();

/** Latin-1 string of a 32-byte key: a cheap exact map key. */
function keyString(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** Encodes a 32-byte Ed25519 public key as an `ailo1…` address. */
export function encodeAddress(publicKey: Uint8Array): Address {
  if (publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new LedgerError('INVALID_KEY', 'A public key is 32 bytes.', {
      details: `got ${publicKey.length} bytes`,
    });
  }
  const id = keyString(publicKey);
  let address = byKey.get(id);
  if (address === undefined) {
    address = bech32m.encode(ADDRESS_HRP, bech32m.toWords(publicKey)) as Address;
    if (byKey.size >= CACHE_LIMIT) byKey.clear();
    byKey.set(id, address);
    if (byAddress.size >= CACHE_LIMIT) byAddress.clear();
    byAddress.set(address, publicKey.slice()); // the reverse direction: this is its one encoding
  }
  return address;
}

/**
 * Decodes an address to its 32-byte public key. Accepts only the canonical lowercase form
 * with the `ailo` prefix and a 32-byte payload. Does not check that the key is a curve point;
 * see `isValidPublicKey`.
 * @throws {LedgerError} `INVALID_ADDRESS`
 */
export function decodeAddress(address: string): Uint8Array {
  return addressKey(address).slice();
}

/**
 * {@link decodeAddress} without the copy, for encoders that only read the key: the result is
 * shared with the cache and must not be modified.
 * @throws {LedgerError} `INVALID_ADDRESS`
 */
export function addressKey(address: string): Uint8Array {
  const cached = byAddress.get(address);
  if (cached !== undefined) return cached;
  if (typeof address !== 'string' || address.length !== ADDRESS_LENGTH || !address.startsWith('ailo1')) {
    throw new LedgerError('INVALID_ADDRESS', 'Not an ailo1… address.', {
      details: `got ${JSON.stringify(address)}`,
    });
  }
  let key: Uint8Array;
  try {
    const { prefix, words } = bech32m.decode(address as `${string}1${string}`);
    if (prefix !== ADDRESS_HRP) throw new Error(`prefix ${prefix}`);
    key = bech32m.fromWords(words);
  } catch (cause) {
    throw new LedgerError('INVALID_ADDRESS', 'Address checksum or encoding is invalid.', {
      details: address,
      cause,
    });
  }
  if (key.length !== PUBLIC_KEY_BYTES) {
    throw new LedgerError('INVALID_ADDRESS', 'Address does not hold a 32-byte key.', { details: address });
  }
  if (byAddress.size >= CACHE_LIMIT) byAddress.clear();
  byAddress.set(address, key);
  return key;
}

/** True when `text` is a well-formed address (format and checksum only). */
export function isAddress(text: unknown): text is Address {
  if (typeof text !== 'string') return false;
  try {
    decodeAddress(text);
    return true;
  } catch {
    return false;
  }
}
