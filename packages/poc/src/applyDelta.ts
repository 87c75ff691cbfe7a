import type { TensorSchema, Tensors } from '@ailo/fedavg';

/**
 * M_t − scale · Δ_k, the model a single update would produce (FedAvg rule with one client).
 * Writes into `into` when given (reused buffers, same schema) and returns it.
 */
export function applyDelta(
  model: Tensors,
  delta: Tensors,
  schema: TensorSchema,
  scale: number,
  into?: Map<string, Float32Array>,
): Map<string, Float32Array> {
  const out = into ?? new Map<string, Float32Array>();
  for (const name of schema.keys()) {
    const m = model.get(name)!;
    const d = delta.get(name)!;
    let y = out.get(name);
    if (!y || y.length !== m.length) {
      y = new Float32Array(m.length);
      out.set(name, y);
    }
    for (let i = 0; i < m.length; i++) y[i] = m[i]! - scale * d[i]!;
  }
  return out;
}
