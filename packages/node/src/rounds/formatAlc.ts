/** Base units per ALC (spec/ledger.md: amounts are bigint base units, 1 ALC = 10^8). */
const UNITS = 100_000_000n;

/** `123456789n` → `"1.23456789"`, trailing zeros dropped (at least one decimal). */
export function formatAlc(units: bigint): string {
  const neg = units < 0n;
  const u = neg ? -units : units;
  const frac = (u % UNITS).toString().padStart(8, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${u / UNITS}.${frac || '0'}`;
}
