import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyModel, startCoordinatorNode, startWorker } from '@ailo/node';

// A tiny GPT-2 (random weights, GPT-2 vocabulary), a coordinator, and two
// workers that each serve one layer; then one request to the OpenAI-style API.
const dir = mkdtempSync(join(tmpdir(), 'ailo-'));
createTinyModel(join(dir, 'model'), { layers: 2, hidden: 32, heads: 2, context: 64 });
const node = await startCoordinatorNode({
  dataDir: join(dir, 'coordinator'),
  port: 0,
  models: [{ dir: join(dir, 'model'), id: 'tiny' }],
});
const workers = [0, 1].map((i) =>
  startWorker({ coordinator: node.coordinator.url, layers: { start: i, end: i + 1 } }),
);
await node.coordinator.waitForCoverage();

const res = await fetch(`${node.coordinator.httpUrl}/v1/completions`, {
  method: 'POST',
  body: JSON.stringify({ model: 'tiny', prompt: 'The jury said', max_tokens: 8, temperature: 0 }),
});
const completion = await res.json();
console.log(completion.usage, JSON.stringify(completion.choices[0].text));

for (const w of workers) await w.stop();
await node.close();
