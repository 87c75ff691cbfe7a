import type { HostTensor } from '@ailo/pipeline';
import type { Tensor } from '@ailo/protocol';
import { NodeError } from '../errors';

/** A pipeline tensor as a wire tensor (float64 reference-backend outputs are narrowed to f32). */
export function hostToWire(t: HostTensor): Tensor {
  if (t.type === 'int64') return { dtype: 'i64', shape: [...t.shape], data: t.data as BigInt64Array };
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array);
  return { dtype: 'f32', shape: [...t.shape], data };
}

/**
 * A wire tensor as a pipeline tensor: i32/i64 ids become int64, f32 stays.
 * @throws NodeError `bad_request` for dtypes a stage cannot take (f16/bf16 hidden states are not accepted: they would change the numbers).
 */
export function wireToHost(t: Tensor): HostTensor {
  switch (t.dtype) {
    case 'i64':
      return { type: 'int64', shape: [...t.shape], data: t.data };
    case 'i32':
      return { type: 'int64', shape: [...t.shape], data: BigInt64Array.from(t.data, (x) => BigInt(x)) };
    case 'f32':
      return { type: 'float32', shape: [...t.shape], data: t.data };
    default:
      throw new NodeError('bad_request', `Stages take i32/i64 ids or f32 hidden states, got ${t.dtype}`);
  }
}

/** Token ids [batch][seq] as an i64 wire tensor. */
export function idsToWire(ids: readonly (readonly number[])[]): Tensor {
  const batch = ids.length;
  const seq = ids[0]?.length ?? 0;
  const data = new BigInt64Array(batch * seq);
  ids.forEach((row, b) => {
    row.forEach((id, s) => {
      data[b * seq + s] = BigInt(id);
    });
  });
  return { dtype: 'i64', shape: [batch, seq], data };
}
