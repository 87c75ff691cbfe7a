import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeWeights, parseHfConfig, TrainingPipeline } from '@ailo/pipeline';
import { createNodeBackend, loadModel } from '@ailo/pipeline/node';
import { encodeSafetensors, float32ToEntry } from '@ailo/virtual-tensor';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTrainCommands } from '../src/commands/train';
import { fixtureModelDir } from './fixtures';

/** A fresh GPT-2-vocabulary model (2 layers, d 16) so text can be tokenized with GPT-2 BPE. */
function bpeModelDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ailo-train-'));
  const hf = { model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32, vocab_size: 50257 };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(hf));
  const weights = initializeWeights(parseHfConfig(hf), 3);
  writeFileSync(
    join(dir, 'model.safetensors'),
    encodeSafetensors([...weights].map(([k, w]) => [k, float32ToEntry(w.data, w.shape)] as const)),
  );
  return dir;
}

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const program = new Command('ailo').exitOverride();
    const model = program.command('model');
    registerTrainCommands(program, model);
    await program.parseAsync(['node', 'ailo', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

const IDS = [0, 7, 2, 9, 4, 11, 6, 1, 8, 3];

describe('ailo model grads', () => {
  it('prints loss and HF-named row-major gradients equal to the library; cpu ≈ ref; 2 stages = 1', async () => {
    const dir = fixtureModelDir('gpt2');
    const ref = JSON.parse(
      await run(['model', 'grads', dir, '--ids', IDS.join(','), '--backend', 'ref', '--json']),
    );
    const m = await loadModel(dir);
    const lib = await new TrainingPipeline({
      config: m.config,
      weights: m.weights,
      backend: createNodeBackend('ref'),
    }).gradients(m.weights, { ids: IDS, batch: 1, seq: IDS.length });
    expect(ref.loss).toBe(lib.loss);
    expect(Object.keys(ref.grads).sort()).toEqual([...m.weights.keys()].sort());
    let scale = 0;
    for (const [k, g] of lib.grads) {
      expect(ref.grads[k]).toEqual(Array.from(g));
      scale = Math.max(scale, ...Array.from(g, Math.abs));
    }
    for (const args of [
      ['--backend', 'cpu'],
      ['--backend', 'cpu', '--stages', '2'],
    ]) {
      const cpu = JSON.parse(await run(['model', 'grads', dir, '--ids', IDS.join(','), ...args, '--json']));
      expect(Math.abs(cpu.loss - ref.loss)).toBeLessThan(1e-5);
      for (const k of Object.keys(ref.grads)) {
        ref.grads[k].forEach((v: number, i: number) => {
          expect(Math.abs(v - cpu.grads[k][i])).toBeLessThanOrEqual(1e-4 * scale);
        });
      }
    }
  });

  it('rejects bad ids', async () => {
    const dir = fixtureModelDir('gpt2');
    await expect(run(['model', 'grads', dir, '--ids', '1,2,99', '--json'])).rejects.toThrow(
      expect.objectContaining({ code: 'token_out_of_range' }),
    );
    await expect(run(['model', 'grads', dir, '--ids', '1,x', '--json'])).rejects.toThrow(
      expect.objectContaining({ code: 'usage' }),
    );
    await expect(run(['model', 'grads', dir, '--ids', '5', '--json'])).rejects.toThrow(
      expect.objectContaining({ code: 'empty_input' }),
    );
  });
});

describe('ailo train', () => {
  it('trains on a text file, prints per-step JSON and writes a packed VirtualTensor model', async () => {
    const dir = bpeModelDir();
    const text = join(dir, 'train.txt');
    writeFileSync(text, 'The quick brown fox jumps over the lazy dog. '.repeat(60));
    const out = join(dir, 'out-vt');
    const lines = (
      await run([
        'train',
        dir,
        '--text',
        text,
        '--steps',
        '4',
        '--batch',
        '2',
        '--seq',
        '16',
        '--lr',
        '1e-2',
        '--out',
        out,
        '--json',
      ])
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = lines.filter((l) => l.step > 0);
    expect(steps.map((l) => l.step)).toEqual([1, 2, 3, 4]);
    const done = lines[lines.length - 1];
    expect(done.done).toBe(true);
    expect(done.heldOutLossAfter).toBeLessThan(done.heldOutLossBefore);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    const start = await loadModel(dir);
    const trained = await loadModel(out);
    expect(trained.config.vocabSize).toBe(50257);
    const a = start.weights.get('transformer.h.0.attn.c_attn.weight')!.data;
    const b = trained.weights.get('transformer.h.0.attn.c_attn.weight')!.data;
    expect(b.length).toBe(a.length);
    expect(b.some((v, i) => v !== a[i])).toBe(true);
  });

  it('trains on a Brown genre over 2 stages and writes an HF directory', async () => {
    const dir = bpeModelDir();
    const out = join(dir, 'out-hf');
    const text = await run([
      'train',
      dir,
      '--corpus',
      'brown:humor',
      '--steps',
      '2',
      '--batch',
      '2',
      '--seq',
      '32',
      '--stages',
      '2',
      '--out',
      out,
      '--format',
      'hf',
    ]);
    expect(text).toMatch(/step 2\/2 loss \d/);
    const trained = await loadModel(out);
    expect(trained.weights.size).toBe((await loadModel(dir)).weights.size);
  });

  it('rejects bad options', async () => {
    const dir = bpeModelDir();
    const base = ['train', dir, '--steps', '1', '--out', join(dir, 'o')];
    const usage = expect.objectContaining({ code: 'usage' });
    await expect(run(base)).rejects.toThrow(usage);
    await expect(run([...base, '--text', 'a', '--corpus', 'brown'])).rejects.toThrow(usage);
    await expect(run([...base, '--corpus', 'wiki'])).rejects.toThrow(usage);
    await expect(run([...base, '--corpus', 'brown', '--lr', '0'])).rejects.toThrow(usage);
    await expect(run([...base, '--corpus', 'brown:poetry'])).rejects.toThrow(
      expect.objectContaining({ code: 'bad_input' }),
    );
  });
});
