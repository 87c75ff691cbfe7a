import { executeGraph } from '../ref/execute';
import type { RefTensor } from '../ref/tensor';
import type { Backend, HostTensor } from './backend';

function toRef(t: HostTensor): RefTensor {
  return { shape: [...t.shape], data: Float64Array.from(t.data as ArrayLike<number>, Number) };
}

/** The plain TypeScript executor (float64 throughout): slow, readable, the parity reference. */
export function createRefBackend(): Backend {
  return {
    name: 'ref',
    async compile(graph) {
      const outTypes = new Map(graph.outputs.map((o) => [o.name, o.type]));
      return {
        async run(feeds) {
          const refFeeds: Record<string, RefTensor> = {};
          for (const [k, v] of Object.entries(feeds)) refFeeds[k] = toRef(v);
          const out = executeGraph(graph, refFeeds);
          const res: Record<string, HostTensor> = {};
          for (const [k, v] of Object.entries(out)) {
            const type = outTypes.get(k) ?? 'float32';
            res[k] =
              type === 'int64'
                ? { type, shape: v.shape, data: BigInt64Array.from(v.data, (x) => BigInt(x)) }
                : { type: 'float32', shape: v.shape, data: v.data };
          }
          return res;
        },
        async dispose() {},
      };
    },
  };
}
