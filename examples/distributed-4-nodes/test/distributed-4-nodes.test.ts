import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAll, gpt2Tokenizer, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DistributedRun, runDistributed, SAMPLING } from '../src/main';

const dir = mkdtempSync(join(tmpdir(), 'ailo-example-distributed-'));
const PROMPT = 'Once upon a time';
const N = 20;
let run: DistributedRun;
let printed = '';

beforeAll(async () => {
  run = await runDistributed({ dir, prompt: PROMPT, maxTokens: N, write: (s) => void (printed += s) });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/distributed-4-nodes', () => {
  it('generates through a chain of the 4 workers, one layer each, and prints every token', () => {
    expect(run.route).toEqual([0, 1, 2, 3].map((i) => ({ worker: i, start: i, end: i + 1 })));
    expect(run.ids).toHaveLength(N);
    expect(run.promptIds).toEqual(gpt2Tokenizer().encode(PROMPT));
    expect(printed).toContain(`tokens: ${run.ids.join(' ')}\n`);
    for (let i = 0; i < 4; i++) expect(printed).toContain(`  worker ${i}  layers ${i}:${i + 1}\n`);
    expect(printed).toContain('route: worker 0 [0, 1) → worker 1 [1, 2) → worker 2 [2, 3) → worker 3 [3, 4)');
  });

  it('the distributed tokens equal generation of the same model in one process', async () => {
    const m = loadModelDir(run.modelDir);
    const local = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'));
    try {
      const tok = gpt2Tokenizer();
      const ref = await generateAll(local, run.promptIds, { ...SAMPLING, maxTokens: N }, tok);
      expect(run.ids).toEqual(ref.ids);
      expect(run.text).toBe(ref.text);
      // the comparison covers varied ids, not one token repeated
      expect(new Set(ref.ids).size).toBeGreaterThan(N / 2);
      // and it can fail: another seed samples other tokens from the same logits
      const other = await generateAll(local, run.promptIds, {
        ...SAMPLING,
        seed: SAMPLING.seed + 1,
        maxTokens: N,
      });
      expect(other.ids).not.toEqual(run.ids);
    } finally {
      await local.dispose();
    }
  });
});
