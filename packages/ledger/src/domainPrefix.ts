import { CHAIN_ID_PATTERN } from './constants';
import { LedgerError } from './errors';

const utf8 = new TextEncoder();
const cache = new Map<string, Uint8Array>();

/**
 * `UTF-8(domain) ‖ 0x00 ‖ UTF-8(chainId) ‖ 0x00`, the prefix of every signed message (spec §3).
 * @throws {LedgerError} `INVALID_CHAIN_ID`
 */
export function domainPrefix(domain: string, chainId: string): Uint8Array {
  const key = `${domain}\u0000${chainId}`;
  let prefix = cache.get(key);
  if (prefix) return prefix;
  assertChainId(chainId);
  const d = utf8.encode(domain);
  const c = utf8.encode(chainId);
  prefix = new Uint8Array(d.length + c.length + 2);
  prefix.set(d, 0);
  prefix.set(c, d.length + 1);
  cache.set(key, prefix);
  return prefix;
}

/** @throws {LedgerError} `INVALID_CHAIN_ID` unless `chainId` matches `[a-z0-9][a-z0-9-]{0,63}`. */
export function assertChainId(chainId: string): void {
  if (typeof chainId !== 'string' || !CHAIN_ID_PATTERN.test(chainId)) {
    throw new LedgerError('INVALID_CHAIN_ID', 'Chain id must match [a-z0-9][a-z0-9-]{0,63}.', {
      details: `got ${JSON.stringify(chainId)}`,
    });
  }
}

/**
 * Checks that `bytes` start with `domainPrefix(domain, chainId)` and returns its length.
 * @throws {LedgerError} `WRONG_DOMAIN`, `WRONG_CHAIN` or `ENCODING_TRUNCATED`
 */
export function expectDomainPrefix(bytes: Uint8Array, domain: string, chainId: string): number {
  const prefix = domainPrefix(domain, chainId);
  if (startsWith(bytes, prefix)) return prefix.length; // the common case: one pass, no allocation
  const d = utf8.encode(domain);
  for (let i = 0; i <= d.length; i++) {
    if (i >= bytes.length)
      throw new LedgerError('ENCODING_TRUNCATED', 'Encoding ends inside the domain tag.');
    if (bytes[i] !== prefix[i]) {
      throw new LedgerError('WRONG_DOMAIN', 'Encoding does not start with the expected domain tag.', {
        details: `expected "${domain}"`,
      });
    }
  }
  const start = d.length + 1;
  let end = start;
  while (end < bytes.length && bytes[end] !== 0 && end - start <= 64) end++;
  if (end >= bytes.length) throw new LedgerError('ENCODING_TRUNCATED', 'Encoding ends inside the chain id.');
  const got = bytes.subarray(start, end);
  const want = prefix.subarray(start, prefix.length - 1);
  let same = got.length === want.length;
  for (let i = 0; same && i < got.length; i++) same = got[i] === want[i];
  if (!same) {
    throw new LedgerError('WRONG_CHAIN', 'Encoding is for another chain.', {
      details: `expected "${chainId}", got ${JSON.stringify(new TextDecoder().decode(got))}`,
    });
  }
  return prefix.length;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
