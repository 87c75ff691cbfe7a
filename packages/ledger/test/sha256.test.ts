import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { digestHex } from '../src/digestHex';
import { setSha256, sha256 } from '../src/index';
import { installNodeCrypto, nodeSha256 } from '../src/node';
import { scenarioChain } from './scenario';

afterEach(() => setSha256(undefined));

describe('pluggable SHA-256', () => {
  it('nodeSha256 equals the portable SHA-256 on every input size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(nodeSha256(data)).toEqual(nobleSha256(data));
      }),
    );
  });

  it('a replacement that disagrees is refused', () => {
    expect(() => setSha256(() => new Uint8Array(32))).toThrowError(
      expect.objectContaining({ code: 'INVALID_HASH_FUNCTION' }),
    );
    expect(sha256(new Uint8Array([1]))).toEqual(nobleSha256(new Uint8Array([1])));
  });

  it('a chain built with node:crypto hashing has the same ids and state hashes', async () => {
    const portable = await scenarioChain();
    installNodeCrypto();
    const native = await scenarioChain();
    expect(native.node.tip).toEqual(portable.node.tip);
    expect(native.blocks).toEqual(portable.blocks);
  });
});

describe('digestHex', () => {
  it('equals bytesToHex on every input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        expect(digestHex(data)).toBe(bytesToHex(data));
      }),
    );
  });
});
