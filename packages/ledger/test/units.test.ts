import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAlc, isLedgerError, MAX_UINT64, parseAlc, unitsFromJson, unitsToJson } from '../src/index';

describe('ALC units', () => {
  it('formats base units exactly', () => {
    expect(formatAlc(0n)).toBe('0');
    expect(formatAlc(1n)).toBe('0.00000001');
    expect(formatAlc(100_000_000n)).toBe('1');
    expect(formatAlc(150_000_000n)).toBe('1.5');
    expect(formatAlc(1_000_000n)).toBe('0.01');
    expect(formatAlc(-250_000_000n)).toBe('-2.5');
    expect(formatAlc(MAX_UINT64)).toBe('184467440737.09551615');
  });

  it('parses plain decimal ALC', () => {
    expect(parseAlc('1')).toBe(100_000_000n);
    expect(parseAlc('0.01')).toBe(1_000_000n);
    expect(parseAlc('0.00000001')).toBe(1n);
    expect(parseAlc('42.5')).toBe(4_250_000_000n);
  });

  it.each([
    '',
    '1.',
    '.5',
    '01',
    '1e3',
    '-1',
    '+1',
    ' 1',
    '1.000000001',
    '0x10',
    'NaN',
    '1,5',
    '184467440737.09551616',
  ])('rejects %j with INVALID_ALC_AMOUNT', (text) => {
    try {
      parseAlc(text);
      expect.unreachable();
    } catch (err) {
      expect(isLedgerError(err, 'INVALID_ALC_AMOUNT')).toBe(true);
    }
  });

  it('round-trips every non-negative amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UINT64 }), (units) => {
        expect(parseAlc(formatAlc(units))).toBe(units);
        expect(unitsFromJson(unitsToJson(units))).toBe(units);
      }),
    );
  });

  it.each([1, '01', '-1', '1.5', '', '18446744073709551616', null])('JSON amount %j is rejected', (v) => {
    expect(() => unitsFromJson(v)).toThrowError(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
  });
});
