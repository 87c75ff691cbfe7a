import type { Figure } from './types';

/** A figure with its statistics, as written to bench/results/<name>.json. */
export interface FigureResult {
  name: string;
  unit: string;
  higherIsBetter: boolean;
  samples: number[];
  min: number;
  median: number;
  max: number;
  peer?: { name: string; samples: number[]; min: number; median: number; max: number } | { skipped: string };
  /** median ratio to the peer in the direction of "better" (>1 = ahead of the peer) */
  ratio?: number;
  goal?: string;
  goalRatio?: number;
  /** whether `ratio` meets `goalRatio`; absent without a goal or a peer */
  pass?: boolean;
}

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Adds min/median/max, the ratio to the peer and pass/fail to a figure. */
export function summarize(figure: Figure): FigureResult {
  if (figure.samples.length === 0 || figure.samples.some((x) => !Number.isFinite(x))) {
    throw new Error(`figure "${figure.name}" has no or non-finite samples`);
  }
  const result: FigureResult = {
    name: figure.name,
    unit: figure.unit,
    higherIsBetter: figure.higherIsBetter,
    samples: figure.samples,
    min: Math.min(...figure.samples),
    median: median(figure.samples),
    max: Math.max(...figure.samples),
  };
  if (figure.goal !== undefined) result.goal = figure.goal;
  if (figure.goalRatio !== undefined) result.goalRatio = figure.goalRatio;
  if (figure.peer !== undefined) {
    if ('skipped' in figure.peer) result.peer = { skipped: figure.peer.skipped };
    else {
      const p = figure.peer.samples;
      if (p.length === 0 || p.some((x) => !Number.isFinite(x))) {
        throw new Error(`peer of "${figure.name}" has no or non-finite samples`);
      }
      result.peer = {
        name: figure.peer.name,
        samples: p,
        min: Math.min(...p),
        median: median(p),
        max: Math.max(...p),
      };
      const peerMedian = median(p);
      result.ratio = figure.higherIsBetter ? result.median / peerMedian : peerMedian / result.median;
      if (figure.goalRatio !== undefined) result.pass = result.ratio >= figure.goalRatio;
    }
  }
  return result;
}

function fmt(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A plain-text table of figures: median, min, max, peer median, ratio, goal, pass/fail. */
export function formatTable(rows: Array<{ bench: string; figure: FigureResult }>): string {
  const header = [
    'bench',
    'figure',
    'unit',
    'median',
    'min',
    'max',
    'peer median',
    'ratio',
    'goal',
    'result',
  ];
  const lines = rows.map(({ bench, figure: f }) => {
    const peer =
      f.peer === undefined ? '-' : 'skipped' in f.peer ? `skipped: ${f.peer.skipped}` : fmt(f.peer.median);
    const verdict = f.pass === undefined ? '-' : f.pass ? 'pass' : 'FAIL';
    return [
      bench,
      f.name,
      f.unit,
      fmt(f.median),
      fmt(f.min),
      fmt(f.max),
      peer,
      f.ratio === undefined ? '-' : `${f.ratio.toFixed(2)}x`,
      f.goal ?? '-',
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}
