import { type Envelope, ERROR_CODE_LIST } from '@ailo/protocol';
import { CLOSE_CODES, CONNECTION_ENDING_CODES, MAX_ERROR_MESSAGE } from '../constants';
import { expectThat, violation } from '../errors';
import type { WireConnection } from './WireConnection';

/**
 * Checks an `error` body's shape (protocol.md §8): a code of the closed enum,
 * a message of at most 1024 characters, a boolean `retryable`.
 */
export function checkErrorBody(e: Envelope): void {
  const { code, message, retryable } = e.body as Record<string, unknown>;
  expectThat(
    typeof code === 'string' && (ERROR_CODE_LIST as readonly string[]).includes(code),
    `error code ${JSON.stringify(code)} is not one of protocol.md §8`,
  );
  expectThat(
    typeof message === 'string' && message.length <= MAX_ERROR_MESSAGE,
    'error.message is not a string of at most 1024 characters',
  );
  expectThat(typeof retryable === 'boolean', 'error.retryable is not a boolean');
}

/** Asserts that `reply` is an `error` with one of `codes`. */
export function expectErrorCode(reply: Envelope, codes: readonly string[], what: string): void {
  if (reply.t !== 'error')
    throw violation(
      `${what}: expected error ${codes.join(' or ')}, got ${reply.t}`,
      JSON.stringify(reply.body, bigints),
    );
  checkErrorBody(reply);
  const code = String(reply.body.code);
  expectThat(
    codes.includes(code),
    `${what}: expected error ${codes.join(' or ')}, got ${code}`,
    String(reply.body.message),
  );
}

/** The close codes acceptable for an error `code` (§8; 1009 also means `too_large`, §2.4). */
export function closeCodesFor(code: string): number[] {
  const own = (CLOSE_CODES as Record<string, number>)[code];
  const list = own === undefined ? [] : [own];
  if (code === 'too_large') list.push(CLOSE_CODES.tooBigWs);
  return list;
}

/**
 * Expects the target to report `code` and, for connection-ending codes, to
 * close with the code's close code. An `error` without `re` may be skipped by
 * a target that cannot parse the frame; the close must still come.
 */
export async function expectConnectionError(
  conn: WireConnection,
  code: string,
  waitMs: number,
  what: string,
  re?: number,
): Promise<void> {
  const ends = CONNECTION_ENDING_CODES.has(code) || re === undefined;
  if (!ends) {
    const reply = await conn.next((e) => e.re === re, waitMs, `the error for ${what}`);
    expectErrorCode(reply, [code], what);
    return;
  }
  const close = await conn.waitClose(waitMs, `a close with ${code} after ${what}`);
  for (const e of conn.pending()) {
    if (e.t === 'error') expectErrorCode(e, [code], what);
  }
  const allowed = closeCodesFor(code);
  expectThat(
    allowed.includes(close.code),
    `${what}: closed with ${close.code}, expected ${allowed.join(' or ')} (${code})`,
    close.reason,
  );
}

/** JSON replacer for bigints and bytes in failure details. */
export function bigints(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return v;
}
