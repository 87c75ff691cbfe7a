import type { Peer } from '@ailo/protocol';
import { describe, expect, test } from 'vitest';
import { planSpan } from '../src/coordinator/planSpan';
import { missingSpans, routeChain } from '../src/coordinator/routeChain';
import type { ServedModel } from '../src/coordinator/ServedModel';
import type { WorkerEntry } from '../src/coordinator/WorkerRegistry';
import { isNodeError } from '../src/errors';

const open = { isOpen: true } as unknown as Peer;

function worker(id: string, start: number, end: number, latencyMs = 1, sessions = 0): WorkerEntry {
  return {
    id,
    peer: open,
    roles: ['worker'],
    backends: ['cpu'],
    memoryBytes: 0,
    want: {},
    state: 'ready',
    span: { model: 'm', version: 'v', start, end },
    error: undefined,
    latencyMs,
    sessions,
    steps: 0,
    joinedAt: 0,
  };
}

describe('routeChain', () => {
  test('tiles all layers, preferring the fastest path', () => {
    const ws = [worker('a', 0, 2, 5), worker('b', 0, 1, 1), worker('c', 1, 2, 1), worker('d', 2, 4, 1)];
    expect(routeChain('m', ws, 4).map((h) => h.worker.id)).toEqual(['b', 'c', 'd']);
    ws[1]!.latencyMs = 10;
    expect(routeChain('m', ws, 4).map((h) => h.worker.id)).toEqual(['a', 'd']);
  });

  test('spreads sessions over holders of the same span', () => {
    const ws = [worker('a', 0, 1), worker('b', 0, 1)];
    const first = routeChain('m', ws, 1)[0]!.worker;
    first.sessions++;
    expect(routeChain('m', ws, 1)[0]!.worker).not.toBe(first);
  });

  test('names the missing span, or where spans fail to line up', () => {
    const gap = (() => {
      try {
        routeChain('m', [worker('a', 0, 1), worker('b', 3, 4)], 4);
      } catch (e) {
        return e;
      }
    })();
    expect(isNodeError(gap, 'layers_unavailable')).toBe(true);
    expect((gap as Error).message).toContain('[1, 3)');
    expect(missingSpans([worker('a', 1, 2)], 4)).toEqual([
      { start: 0, end: 1 },
      { start: 2, end: 4 },
    ]);
    expect(() => routeChain('m', [worker('a', 0, 2), worker('b', 1, 3)], 3)).toThrow(
      /do not line up at layer 2/,
    );
  });
});

describe('planSpan (--layers auto)', () => {
  const model = {
    id: 'm',
    version: 'v',
    config: { numLayers: 4 },
    manifest: {
      tensors: [0, 1, 2, 3].map((l) => ({
        name: `h.${l}.w`,
        group: 'layer',
        layer: l,
        segments: [{ chunk: 0, offset: 0, length: 1000 }],
      })),
      index: {
        embeddings: { tensors: [], chunks: [] },
        head: { tensors: [], chunks: [] },
        layers: [0, 1, 2, 3].map((l) => ({ tensors: [`h.${l}.w`], chunks: [0] })),
      },
      model: { numLayers: 4 },
    },
  } as unknown as ServedModel;

  test('picks the least-held span of the canonical split, first on ties', () => {
    expect(planSpan(model, undefined, [], 2, 0)).toEqual({ start: 0, end: 2 });
    expect(planSpan(model, undefined, [worker('a', 0, 2)], 2, 0)).toEqual({ start: 2, end: 4 });
    expect(planSpan(model, undefined, [worker('a', 0, 2), worker('b', 2, 4)], 2, 0)).toEqual({
      start: 0,
      end: 2,
    });
  });

  test('honours a fixed request, refuses spans outside the model and budgets too small', () => {
    expect(planSpan(model, { start: 1, end: 3 }, [], 2, 0)).toEqual({ start: 1, end: 3 });
    expect(() => planSpan(model, { start: 3, end: 5 }, [], 2, 0)).toThrow(/3:5 are not a span of m/);
    expect(() => planSpan(model, undefined, [], 2, 1500)).toThrow(
      /no span of m fits 1500 bytes \(the smallest needs 2000\)/,
    );
    expect(planSpan(model, undefined, [], 4, 1500)).toEqual({ start: 0, end: 1 });
  });
});
