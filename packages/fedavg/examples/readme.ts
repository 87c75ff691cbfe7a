import { modelHash, Round } from '@ailo/fedavg';

// The global model M_t: named float32 tensors plus their shapes.
const schema = new Map([
  ['layer.weight', [2, 2]],
  ['layer.bias', [2]],
]);
const model = new Map([
  ['layer.weight', new Float32Array([1, 0, 0, 1])],
  ['layer.bias', new Float32Array([0, 0])],
]);

let now = 0; // an injected clock (ms) keeps the round transport-agnostic
const round = new Round({
  round: 1,
  model,
  schema,
  deadline: 60_000,
  clock: () => now,
  minClients: 2,
  // Proof-of-Contribution plugs in here: accept, score, or refuse each update
  validator: async (_update, ctx) =>
    ctx.norm < 10 ? { accept: true, score: 1 } : { accept: false, reason: 'norm' },
});

// Each client sends Δ_k = M_t − M_k with its sample count n_k.
const base = modelHash(model, schema);
const delta = (w: number[], b: number[]) =>
  new Map([
    ['layer.weight', new Float32Array(w)],
    ['layer.bias', new Float32Array(b)],
  ]);
await round.submit({
  clientId: 'alice',
  round: 1,
  base,
  update: { numSamples: 30, delta: delta([0.1, 0, 0, 0.1], [0.2, 0]) },
});
await round.submit({
  clientId: 'bob',
  round: 1,
  base,
  update: { numSamples: 10, delta: delta([0.5, 0, 0, 0.5], [0.2, 0.4]) },
});

now = 60_000; // deadline: stragglers are refused from now on
const result = round.tick()!;
if (result.status === 'aggregated') {
  // M_{t+1} = M_t − Σ_k (n_k / n) · Δ_k = 1 − (30·0.1 + 10·0.5) / 40 = 0.8
  console.log(
    result.clients,
    result.numSamples,
    [...result.model.get('layer.weight')!].map((x) => x.toFixed(2)),
  );
}
