import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensorFile } from '@ailo/fedavg';
import { createNodeBackend } from '@ailo/pipeline/node';
import { expect, it } from 'vitest';
import { keyFor } from './federation';
import { LocalTrainer } from './localTraining';
import { judgeOneUpdate } from './readmeExample';
import { randomGpt2, sequences, validationPool } from './tinyWorld';

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start) + start.length;
  return text.slice(from, text.indexOf(end, from)).trim();
}

it('the README example is the tested code', () => {
  const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
  const example = readFileSync(join(import.meta.dirname, 'readmeExample.ts'), 'utf8');
  expect(between(readme, '```ts\n', '\n```')).toBe(between(example, '// README-START', '// README-END'));
});

it('the README example accepts an honest update and returns signed MINTs', async () => {
  const tiny = randomGpt2({
    model_type: 'gpt2',
    n_layer: 2,
    n_head: 4,
    n_embd: 32,
    n_positions: 16,
    vocab_size: 12,
  });
  const dir = mkdtempSync(join(tmpdir(), 'ailo-poc-readme-'));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'gpt2',
      n_layer: 2,
      n_head: 4,
      n_embd: 32,
      n_positions: 16,
      vocab_size: 12,
    }),
  );
  writeFileSync(join(dir, 'model.safetensors'), encodeTensorFile(tiny.model, tiny.schema));
  const trainer = await LocalTrainer.create(
    tiny.config,
    tiny.schema,
    tiny.model,
    createNodeBackend('cpu'),
    8,
    16,
  );
  const { delta } = await trainer.train(tiny.model, tiny.schema, sequences('readme-client', 32, 2), {
    lr: 0.1,
  });
  const coordinator = keyFor('readme-coordinator');
  const txs = await judgeOneUpdate(dir, validationPool(8), keyFor('readme-client'), coordinator, delta);
  expect(txs.map((t) => t.tx.reason)).toEqual(['training']);
  expect(txs[0]!.tx).toMatchObject({
    type: 'MINT',
    from: coordinator.address,
    to: keyFor('readme-client').address,
  });
  expect(txs[0]!.tx.amount).toBeGreaterThan(0n);
});
