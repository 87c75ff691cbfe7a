import { makeModelConfig } from '@ailo/virtual-tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { footprintModel, type PlanNode, partitionLayers } from '../src/index';

const tiny = makeModelConfig({
  architecture: 'llama',
  numLayers: 6,
  hiddenSize: 64,
  numHeads: 4,
  numKvHeads: 2,
  vocabSize: 1000,
  maxPositions: 128,
});
const llama70b = makeModelConfig({
  architecture: 'llama',
  numLayers: 80,
  hiddenSize: 8192,
  numHeads: 64,
  numKvHeads: 8,
  intermediateSize: 28672,
  vocabSize: 32000,
  maxPositions: 4096,
});

/** Exhaustive search over every ordered assignment of (possibly empty) contiguous spans. */
function bruteForce(
  nodes: PlanNode[],
  fits: (a: number, b: number, n: PlanNode) => boolean,
  cost: (a: number, b: number, n: PlanNode) => number,
  L: number,
): number {
  let best = Number.POSITIVE_INFINITY;
  const rec = (g: number, start: number, worst: number) => {
    if (start === L) {
      best = Math.min(best, worst);
      return;
    }
    if (g === nodes.length) return;
    rec(g + 1, start, worst); // node unused
    for (let end = start + 1; end <= L; end++) {
      if (fits(start, end, nodes[g]!)) rec(g + 1, end, Math.max(worst, cost(start, end, nodes[g]!)));
    }
  };
  rec(0, 0, 0);
  return best;
}

describe('partition planner', () => {
  it('covers every layer with contiguous spans that fit each node', () => {
    const nodes = Array.from({ length: 120 }, (_, i) => ({
      id: `n${i}`,
      memoryBytes: 4 * 2 ** 30,
      relativeSpeed: 1,
    }));
    const p = partitionLayers(llama70b, nodes, { weightBytes: 2, contextLength: 4096 });
    let next = 0;
    for (const s of p.stages) {
      expect(s.span.start).toBe(next);
      next = s.span.end;
      expect(s.totalBytes).toBeLessThanOrEqual(4 * 2 ** 30);
    }
    expect(next).toBe(80);
    expect(p.stages.length + p.unusedNodeIds.length).toBe(120);
  });

  it('is optimal for its node order (matches exhaustive search)', () => {
    const fp = footprintModel(tiny, { contextLength: 16 });
    const layer = fp.stage(1, 2).total;
    fc.assert(
      fc.property(
        fc.array(fc.record({ mem: fc.integer({ min: 1, max: 8 }), speed: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (spec) => {
          const nodes = spec.map((s, i) => ({
            id: `n${i}`,
            memoryBytes: s.mem * layer,
            relativeSpeed: s.speed,
          }));
          const sorted = [...nodes].sort(
            (a, b) => b.relativeSpeed - a.relativeSpeed || b.memoryBytes - a.memoryBytes,
          );
          const expected = bruteForce(
            sorted,
            (a, b, n) => fp.stage(a, b).total <= n.memoryBytes,
            (a, b, n) => fp.stage(a, b).weights / n.relativeSpeed,
            tiny.numLayers,
          );
          if (!Number.isFinite(expected)) {
            expect(() => partitionLayers(tiny, nodes, { contextLength: 16 })).toThrowError(
              expect.objectContaining({ code: 'no_fit' }),
            );
            return;
          }
          const plan = partitionLayers(tiny, nodes, { contextLength: 16 });
          expect(plan.stages[plan.bottleneck]!.cost).toBeCloseTo(expected, 6);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it('explains why nothing fits', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => ({
      id: `n${i}`,
      memoryBytes: 2 ** 30,
      relativeSpeed: 1,
    }));
    try {
      partitionLayers(llama70b, nodes, { weightBytes: 2 });
      throw new Error('expected no_fit');
    } catch (e) {
      expect((e as { code: string }).code).toBe('no_fit');
      expect((e as { details: string }).details).toMatch(/Needs .* GiB in all/);
    }
  });

  it('puts more layers on faster nodes and holds each span r times with redundancy', () => {
    const nodes = [
      { id: 'fast', memoryBytes: 2 ** 30, relativeSpeed: 3 },
      { id: 'slow', memoryBytes: 2 ** 30, relativeSpeed: 1 },
    ];
    const p = partitionLayers(tiny, nodes, { contextLength: 16 });
    const fast = p.stages.find((s) => s.nodeIds[0] === 'fast')!;
    const slow = p.stages.find((s) => s.nodeIds[0] === 'slow');
    expect(fast.span.end - fast.span.start).toBeGreaterThan(slow ? slow.span.end - slow.span.start : 0);
    const four = ['a', 'b', 'c', 'd'].map((id) => ({ id, memoryBytes: 2 ** 30, relativeSpeed: 1 }));
    const red = partitionLayers(tiny, four, { contextLength: 16, redundancy: 2 });
    for (const s of red.stages) expect(s.nodeIds).toHaveLength(2);
  });
});
