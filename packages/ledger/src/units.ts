import { ALC_DECIMALS, MAX_UINT64, UNITS_PER_ALC } from './constants';
import { LedgerError } from './errors';

const ALC_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]{1,8})?$/;
const UNITS_PATTERN = /^(0|[1-9][0-9]*)$/;

/**
 * Formats base units as ALC text with up to 8 decimals and no trailing zeros:
 * `formatAlc(150_000_000n) === '1.5'`, `formatAlc(1n) === '0.00000001'`. Exact; no floats.
 */
export function formatAlc(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / UNITS_PER_ALC;
  const frac = (abs % UNITS_PER_ALC).toString().padStart(ALC_DECIMALS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * Parses ALC text (`'1.5'`, `'0.01'`, `'42'`) into base units. Accepts only plain decimal
 * notation with at most 8 decimals; no sign, exponent, spaces or leading zeros.
 * @throws {LedgerError} `INVALID_ALC_AMOUNT`
 */
export function parseAlc(text: string): bigint {
  const m = ALC_PATTERN.exec(text);
  if (!m) {
    throw new LedgerError('INVALID_ALC_AMOUNT', 'Not an ALC amount.', {
      details: `expected decimal text with at most ${ALC_DECIMALS} decimals, got ${JSON.stringify(text)}`,
    });
  }
  const whole = BigInt(m[1]!);
  const frac = m[2] ? BigInt(m[2].slice(1).padEnd(ALC_DECIMALS, '0')) : 0n;
  const units = whole * UNITS_PER_ALC + frac;
  if (units > MAX_UINT64) {
    throw new LedgerError('INVALID_ALC_AMOUNT', 'ALC amount is too large.', { details: text });
  }
  return units;
}

/** Base units as the decimal string used in JSON (spec §11): `1500000000n → "1500000000"`. */
export function unitsToJson(units: bigint): string {
  return units.toString();
}

/**
 * Parses the decimal base-unit string used in JSON. Only `0` or digits without a leading zero,
 * at most 2^64 − 1.
 * @throws {LedgerError} `INVALID_AMOUNT`
 */
export function unitsFromJson(text: unknown, field = 'amount'): bigint {
  if (typeof text !== 'string' || !UNITS_PATTERN.test(text)) {
    throw new LedgerError('INVALID_AMOUNT', `Field "${field}" is not a base-unit decimal string.`, {
      details: `got ${JSON.stringify(text)}`,
    });
  }
  const v = BigInt(text);
  if (v > MAX_UINT64) {
    throw new LedgerError('INVALID_AMOUNT', `Field "${field}" exceeds 2^64 - 1.`, { details: text });
  }
  return v;
}
