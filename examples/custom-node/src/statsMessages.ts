import { MessageRegistry, type TensorOf, TensorSchema, UInt } from '@ailo/protocol';
import { type Static, Type } from '@sinclair/typebox';

/** Elements one `stats.tensor` request may carry (the node's own limit, below the protocol's). */
export const MAX_STATS_ELEMENTS = 1 << 20;

/** `stats.tensor` body: an f32 tensor of any shape up to rank 4. */
export const StatsRequest = Type.Object({
  x: TensorSchema({ dtypes: ['f32'], maxRank: 4, maxElements: MAX_STATS_ELEMENTS }),
});

/** `stats.tensor.result` body: element count, mean and L2 norm (float64 sums). */
export const StatsResult = Type.Object({
  count: UInt(),
  mean: Type.Number(),
  l2: Type.Number(),
});

/** The schema admits only f32 tensors. */
export type StatsRequestBody = { x: TensorOf<'f32'> };
export type StatsResultBody = Static<typeof StatsResult>;

/**
 * The protocol's catalogue plus this node's extension family `stats` (spec/protocol.md §9.6:
 * namespaced, never reusing a catalogue type). Peers that do not know it answer `unsupported`.
 */
export function statsRegistry(): MessageRegistry {
  return new MessageRegistry()
    .register('stats.tensor', StatsRequest, {
      reply: 'stats.tensor.result',
      description: 'count, mean and L2 norm of an f32 tensor',
    })
    .register('stats.tensor.result', StatsResult, { kind: 'reply', description: 'reply to stats.tensor' });
}
