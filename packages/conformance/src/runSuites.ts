import { ConformanceError } from './errors';
import type { CaseResult, ConformanceCase, ConformanceContext, ConformanceSuite } from './types';

/** Options of {@link runSuites}. */
export interface RunOptions {
  /** called after each case */
  onResult?(result: CaseResult): void;
  /** run only cases whose id starts with one of these */
  only?: readonly string[];
}

/** Runs one case: pass, fail (a violation or any unexpected error) or skip (`not_exposed`). */
export async function runCase(c: ConformanceCase, ctx: ConformanceContext): Promise<CaseResult> {
  const t0 = performance.now();
  const base = { id: c.id, clause: c.clause, title: c.title };
  try {
    await c.run(ctx);
    return { ...base, status: 'pass', ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof ConformanceError && e.code === 'not_exposed')
      return { ...base, status: 'skip', message: e.shortMessage, ms };
    const message = e instanceof ConformanceError ? e.message : `unexpected: ${(e as Error).message}`;
    return { ...base, status: 'fail', message, ms };
  }
}

/** Runs suites in order, one case at a time; resolves with every result. */
export async function runSuites(
  suites: readonly ConformanceSuite[],
  ctx: ConformanceContext,
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const s of suites) {
    for (const c of s.cases) {
      if (options.only && !options.only.some((p) => c.id.startsWith(p))) continue;
      const r = await runCase(c, ctx);
      results.push(r);
      options.onResult?.(r);
    }
  }
  return results;
}
