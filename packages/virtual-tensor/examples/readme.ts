import {
  float32ToEntry,
  MemoryStore,
  makeModelConfig,
  modelTensors,
  packTensors,
  VirtualModel,
} from '@ailo/virtual-tensor';

// A small GPT-2-shaped model with made-up weights.
const config = makeModelConfig({
  architecture: 'gpt2',
  numLayers: 4,
  hiddenSize: 64,
  numHeads: 4,
  vocabSize: 1000,
  maxPositions: 128,
});
const weights = modelTensors(config).map(({ name, shape }) => {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01);
  return [name, float32ToEntry(values, shape)] as const;
});

// Pack into 6 chunks held in memory (IdbStore, FsStore and HttpStore work the same way).
const store = new MemoryStore();
const { manifest } = await packTensors(weights, { config, chunks: 6, store });

// The last pipeline stage holds blocks [2, 4) plus the head; every chunk is sha256-verified before use.
const model = VirtualModel.open(manifest, store, { budgetBytes: 4_000_000 });
console.log('chunks needed:', model.chunksFor(2, 4));
const tensors = await model.loadLayersFloat32(2, 4);
console.log('c_fc:', tensors.get('transformer.h.3.mlp.c_fc.weight')?.length); // 64 × 256 = 16384
