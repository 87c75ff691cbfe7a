import { bech32, bech32m } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { ADDRESS_LENGTH, decodeAddress, encodeAddress, isAddress, isValidPublicKey } from '../src/index';
import { testKey } from './testChain';

describe('addresses', () => {
  const key = testKey(1);

  it('encodes ailo1 + bech32m of the public key and decodes back', () => {
    const address = encodeAddress(key.publicKey);
    expect(address.startsWith('ailo1')).toBe(true);
    expect(address).toHaveLength(ADDRESS_LENGTH);
    expect(address).toBe(bech32m.encode('ailo', bech32m.toWords(key.publicKey)));
    expect(decodeAddress(address)).toEqual(key.publicKey);
    expect(isValidPublicKey(decodeAddress(address))).toBe(true);
  });

  it('hands out copies, so callers cannot corrupt the cache', () => {
    const a = decodeAddress(key.address);
    a[0] = a[0]! ^ 0xff;
    expect(decodeAddress(key.address)).toEqual(key.publicKey);
  });

  const flip = (s: string, i: number): string => s.slice(0, i) + (s[i] === 'q' ? 'p' : 'q') + s.slice(i + 1);
  const bad: Array<[string, string]> = [
    ['empty', ''],
    ['other prefix', bech32m.encode('btc', bech32m.toWords(key.publicKey))],
    ['bech32 (not bech32m) checksum', bech32.encode('ailo', bech32.toWords(key.publicKey))],
    ['upper case', key.address.toUpperCase()],
    ['mixed case', `ailo1${key.address.slice(5, 10).toUpperCase()}${key.address.slice(10)}`],
    ['one changed character', flip(key.address, 20)],
    ['31-byte payload', bech32m.encode('ailo', bech32m.toWords(key.publicKey.subarray(0, 31)))],
    ['33-byte payload', bech32m.encode('ailo', bech32m.toWords(new Uint8Array(33)))],
    ['truncated', key.address.slice(0, -1)],
  ];
  it.each(bad)('rejects %s with INVALID_ADDRESS', (_name, text) => {
    expect(isAddress(text)).toBe(false);
    expect(() => decodeAddress(text)).toThrowError(expect.objectContaining({ code: 'INVALID_ADDRESS' }));
  });

  it('rejects a public key of the wrong size', () => {
    expect(() => encodeAddress(new Uint8Array(31))).toThrowError(
      expect.objectContaining({ code: 'INVALID_KEY' }),
    );
  });
});
