import { describe, expect, it } from 'vitest';
import { benchNames, loadBench } from '../src/runner';
import { formatTable, summarize } from '../src/summarize';

// Every bench module runs one short iteration so that benches never rot (they are not timed in CI).
// A smoke run must stay small: the whole file is meant to finish in well under 20 s.
const SMOKE_BUDGET_MS = 30_000;
describe('bench smoke', () => {
  it('finds bench modules', () => {
    expect(benchNames()).toContain('protocol');
  });

  it.each(benchNames())(
    '%s runs in smoke mode and reports well-formed figures',
    async (name) => {
      const bench = await loadBench(name);
      expect(bench.name).toBe(name);
      const figures = await bench.run({ smoke: true, log: () => {} });
      expect(figures.length).toBeGreaterThan(0);
      const rows = figures.map((figure) => ({ bench: name, figure: summarize(figure) }));
      for (const { figure } of rows) {
        expect(figure.unit.length).toBeGreaterThan(0);
        expect(figure.peer, `${figure.name} needs a peer measured in the same run`).toBeDefined();
      }
      expect(formatTable(rows).split('\n').length).toBe(rows.length + 2);
    },
    SMOKE_BUDGET_MS,
  );
});
