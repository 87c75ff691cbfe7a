import { describe, expect, it } from 'vitest';
import { closeCodeOf, ERROR_CODE_LIST, errorCodeOfClose, isErrorCode, isRetryable } from '../src/errorCodes';
import { ProtocolError } from '../src/ProtocolError';

describe('errors (spec §8)', () => {
  it('is a closed set with a retryable flag and a distinct close code each', () => {
    expect(ERROR_CODE_LIST).toEqual([
      'bad_frame',
      'too_large',
      'unsupported',
      'unauthorized',
      'bad_signature',
      'bad_request',
      'version_mismatch',
      'not_found',
      'conflict',
      'timeout',
      'overloaded',
      'unavailable',
      'closed',
      'internal',
      'rate_limited',
    ]);
    expect(ERROR_CODE_LIST.filter(isRetryable)).toEqual([
      'timeout',
      'overloaded',
      'unavailable',
      'closed',
      'internal',
      'rate_limited',
    ]);
    const closes = ERROR_CODE_LIST.map(closeCodeOf);
    expect(new Set(closes).size).toBe(closes.length);
    for (const code of ERROR_CODE_LIST) expect(errorCodeOfClose(closeCodeOf(code))).toBe(code);
    expect(errorCodeOfClose(1000)).toBeUndefined();
    expect(isErrorCode('nope')).toBe(false);
  });

  it('has the viem-style shape', () => {
    const cause = new Error('disk on fire');
    const e = new ProtocolError('not_found', 'no such chunk', { details: 'chunk 7', cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ProtocolError');
    expect(e.code).toBe('not_found');
    expect(e.shortMessage).toBe('no such chunk');
    expect(e.details).toBe('chunk 7');
    expect(e.cause).toBe(cause);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('no such chunk');
    expect(e.message).toContain('Details: chunk 7');
    expect(e.toBody()).toEqual({ code: 'not_found', message: 'no such chunk', retryable: false });
  });

  it('rebuilds errors from error bodies; unknown codes become internal', () => {
    const e = ProtocolError.fromBody({ code: 'overloaded', message: 'busy', retryable: false });
    expect([e.code, e.shortMessage, e.retryable]).toEqual(['overloaded', 'busy', false]);
    expect(ProtocolError.fromBody({ code: 'martian', message: 1 }).code).toBe('internal');
  });

  it('wraps foreign errors as internal without losing them', () => {
    const cause = new TypeError('x');
    const e = ProtocolError.from(cause);
    expect([e.code, e.cause]).toEqual(['internal', cause]);
    const same = new ProtocolError('timeout', 't');
    expect(ProtocolError.from(same)).toBe(same);
  });
});
