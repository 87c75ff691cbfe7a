import { CliError } from '../cliError';
import type { Rate } from '../coordinator/TokenBucket';

/** A commander parser for `burst:perSecond` (a token bucket), e.g. `4:0.5`. */
export function parseRateOption(name: string) {
  return (s: string): Rate => {
    const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(s.trim());
    if (!m || Number(m[1]) < 1 || !(Number(m[2]) > 0))
      throw new CliError(`${name} expects burst:perSecond with burst >= 1 and perSecond > 0, got "${s}"`);
    return { burst: Number(m[1]), perSecond: Number(m[2]) };
  };
}
