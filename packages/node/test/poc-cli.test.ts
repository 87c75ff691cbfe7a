import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTensorFile, encodeUpdateFile, modelHash } from '@ailo/fedavg';
import { keyPairFromSecretKey } from '@ailo/ledger';
import { StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import { proofToMetadata, signContribution } from '@ailo/poc';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../src/program';
import { fixtureModelDir } from './fixtures';

const key = keyPairFromSecretKey(new Uint8Array(32).fill(7));

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'ailo', 'poc', 'check', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

let dir: string;
let modelDir: string;
let validation: string;
let schema: Map<string, number[]>;
let base: string;

/** An update that scales the final LayerNorm by `factor`: sharper logits, so greedy sequences get likelier. */
function sharpen(factor: number): Map<string, Float32Array> {
  const m = loadModelDir(modelDir);
  const delta = new Map<string, Float32Array>();
  for (const [name, w] of m.weights) {
    delta.set(
      name,
      /ln_f\.(weight|bias)$/.test(name)
        ? w.data.map((x) => (1 - factor) * x)
        : new Float32Array(w.data.length),
    );
  }
  return delta;
}

function updateFile(
  delta: Map<string, Float32Array>,
  opts: { sign?: boolean; chainId?: string; base?: string; numSamples?: number } = {},
): string {
  const numSamples = opts.numSamples ?? 32;
  const b = opts.base ?? base;
  const metadata =
    opts.sign === false
      ? {}
      : proofToMetadata(
          signContribution(
            { round: 4, base: b, deltaHash: modelHash(delta, schema), numSamples, nonce: 1n },
            key,
            opts.chainId ?? 'ailo-local',
          ),
        );
  const path = join(dir, `update-${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(path, encodeUpdateFile({ delta, shapes: schema, numSamples, round: 4, base: b, metadata }));
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ailo-poc-cli-'));
  modelDir = fixtureModelDir('gpt2', dir);
  const m = loadModelDir(modelDir);
  schema = new Map([...m.weights].map(([n, w]) => [n, [...w.shape]]));
  base = modelHash(new Map([...m.weights].map(([n, w]) => [n, w.data])), schema);
  // held-out set: the model's own greedy continuations of 6 start tokens
  const chain = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'));
  const seqs: number[][] = [];
  for (let s = 0; s < 6; s++) {
    const ids = [s * 2];
    while (ids.length < 12) {
      const out = (await chain.forward('g', [ids])).data as Float32Array;
      const last = out.subarray((ids.length - 1) * 12, ids.length * 12);
      ids.push(last.indexOf(Math.max(...last)));
    }
    seqs.push(ids);
  }
  await chain.dispose();
  validation = join(dir, 'validation.json');
  writeFileSync(validation, JSON.stringify(seqs));
});

describe('ailo poc check', () => {
  it('accepts an update that lowers the held-out loss and prints what it earns', async () => {
    const file = updateFile(sharpen(1.5));
    const report = JSON.parse(
      await run(['--base', modelDir, '--update', file, '--validation', validation, '--json']),
    );
    expect(report).toMatchObject({
      accepted: true,
      reason: null,
      clientId: key.address,
      round: 4,
      numSamples: 32,
      validationSequences: 6,
    });
    const byName = Object.fromEntries(report.checks.map((c: { check: string }) => [c.check, c]));
    expect(byName.signature.status).toBe('pass');
    expect(byName.validation.status).toBe('pass');
    expect(byName.validation.value.relativeReduction).toBeGreaterThan(0);
    expect(BigInt(report.reward.total)).toBeGreaterThan(0n);
    expect(BigInt(report.reward.fastBonus)).toBe(0n);
    const text = await run(['--base', modelDir, '--update', file, '--validation', validation]);
    expect(text).toMatch(/^verdict: accepted/);
    expect(text).toMatch(/validation +pass +baseLoss=/);
    expect(text).toMatch(/reward: 0\.\d+ ALC/);
  });

  it('fast bonus when the coordinator measured < 5 s', async () => {
    const report = JSON.parse(
      await run([
        '--base',
        modelDir,
        '--update',
        updateFile(sharpen(1.5)),
        '--validation',
        validation,
        '--json',
        '--elapsed-ms',
        '800',
      ]),
    );
    expect(report.reward.fastBonus).toBe('5000000');
  });

  it('rejects (exit code 0) with the reason and every check value', async () => {
    const cases: [string[], string][] = [
      [['--update', updateFile(sharpen(-999))], 'loss_increased'],
      [['--update', updateFile(sharpen(1.5)), '--median-norm', '1e-6'], 'norm_too_large'],
      [['--update', updateFile(sharpen(1.5)), '--chain-id', 'ailo-other'], 'bad_signature'],
      [['--update', updateFile(sharpen(1.5), { base: 'f'.repeat(64) })], 'wrong_base'],
      [
        ['--update', updateFile(sharpen(1.5), { numSamples: 500 }), '--max-samples', '100'],
        'num_samples_exceeds_cap',
      ],
      [['--update', updateFile(sharpen(1.5), { sign: false }), '--require-signature'], 'missing_proof'],
      [['--update', updateFile(sharpen(1))], 'free_rider'],
    ];
    for (const [args, reason] of cases) {
      const report = JSON.parse(
        await run(['--base', modelDir, '--validation', validation, '--json', ...args]),
      );
      expect(report, reason).toMatchObject({ accepted: false, reason });
      expect(report.reward.total).toBe('0');
      expect(report.checks.length).toBeGreaterThan(5);
    }
    const nan = sharpen(1.5);
    nan.get('transformer.ln_f.weight')![0] = Number.NaN;
    const nanFile = join(dir, 'nan.safetensors');
    writeFileSync(nanFile, encodeTensorFile(nan, schema, { num_samples: '32', round: '4', base }));
    expect(
      JSON.parse(await run(['--base', modelDir, '--validation', validation, '--json', '--update', nanFile])),
    ).toMatchObject({ reason: 'non_finite' });
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a safetensors file');
    expect(
      JSON.parse(await run(['--base', modelDir, '--validation', validation, '--json', '--update', junk])),
    ).toMatchObject({ reason: 'malformed_update' });
  });

  it('an unsigned update is judged on its content; the signature checks are skipped', async () => {
    const report = JSON.parse(
      await run([
        '--base',
        modelDir,
        '--update',
        updateFile(sharpen(1.5), { sign: false }),
        '--validation',
        validation,
        '--json',
      ]),
    );
    expect(report.accepted).toBe(true);
    expect(report.checks.find((c: { check: string }) => c.check === 'signature').status).toBe('skipped');
  });

  it('reads a text validation file with the model tokenizer', async () => {
    // a tiny random GPT-2 with the GPT-2 vocabulary (built-in BPE)
    const gdir = join(dir, 'gpt2-vocab');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(gdir);
    const cfg = {
      model_type: 'gpt2',
      n_layer: 1,
      n_head: 2,
      n_embd: 8,
      n_positions: 32,
      vocab_size: 50257,
      n_inner: 16,
    };
    writeFileSync(join(gdir, 'config.json'), JSON.stringify(cfg));
    const shapes = new Map<string, number[]>([
      ['transformer.wte.weight', [50257, 8]],
      ['transformer.wpe.weight', [32, 8]],
      ['transformer.h.0.ln_1.weight', [8]],
      ['transformer.h.0.ln_1.bias', [8]],
      ['transformer.h.0.attn.c_attn.weight', [8, 24]],
      ['transformer.h.0.attn.c_attn.bias', [24]],
      ['transformer.h.0.attn.c_proj.weight', [8, 8]],
      ['transformer.h.0.attn.c_proj.bias', [8]],
      ['transformer.h.0.ln_2.weight', [8]],
      ['transformer.h.0.ln_2.bias', [8]],
      ['transformer.h.0.mlp.c_fc.weight', [8, 16]],
      ['transformer.h.0.mlp.c_fc.bias', [16]],
      ['transformer.h.0.mlp.c_proj.weight', [16, 8]],
      ['transformer.h.0.mlp.c_proj.bias', [8]],
      ['transformer.ln_f.weight', [8]],
      ['transformer.ln_f.bias', [8]],
    ]);
    let s = 1;
    const weights = new Map(
      [...shapes].map(([n, sh]) => {
        const len = sh.reduce((a, b) => a * b, 1);
        return [
          n,
          Float32Array.from({ length: len }, () =>
            n.endsWith('ln_1.weight') || n.endsWith('ln_2.weight') || n.endsWith('ln_f.weight')
              ? 1
              : ((s = (s * 48271) % 2147483647) / 2147483647 - 0.5) * 0.04,
          ),
        ];
      }),
    );
    writeFileSync(join(gdir, 'model.safetensors'), encodeTensorFile(weights, shapes));
    const text = join(dir, 'held-out.txt');
    writeFileSync(
      text,
      'The jury said it did find that many of the voters had been treated fairly. '.repeat(8),
    );
    const delta = new Map(
      [...shapes].map(([n, sh]) => [n, new Float32Array(sh.reduce((a, b) => a * b, 1)).fill(1e-3)]),
    );
    const gbase = modelHash(weights, shapes);
    const upd = join(dir, 'gpt2-update.safetensors');
    writeFileSync(upd, encodeUpdateFile({ delta, shapes, numSamples: 8, round: 0, base: gbase }));
    const report = JSON.parse(
      await run(['--base', gdir, '--update', upd, '--validation', text, '--json', '--seq-len', '16']),
    );
    expect(report.validationSequences).toBeGreaterThanOrEqual(4);
    const v = report.checks.find((c: { check: string }) => c.check === 'validation');
    expect(v.status === 'pass' || v.reason === 'loss_increased').toBe(true);
    expect(v.value.baseLoss).toBeGreaterThan(10); // ≈ ln 50257 for a random model
  });

  it('bad input is a clear error', async () => {
    const file = updateFile(sharpen(1.5));
    await expect(
      run(['--base', modelDir, '--update', file, '--validation', join(dir, 'missing.json')]),
    ).rejects.toMatchObject({ name: 'CliError' });
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{"not": "an array"}');
    await expect(run(['--base', modelDir, '--update', file, '--validation', badJson])).rejects.toMatchObject({
      name: 'CliError',
    });
    const textFile = join(dir, 'plain.txt');
    writeFileSync(textFile, 'no tokenizer for vocab 12');
    await expect(run(['--base', modelDir, '--update', file, '--validation', textFile])).rejects.toMatchObject(
      { name: 'CliError' },
    );
    const outOfVocab = join(dir, 'oov.json');
    writeFileSync(outOfVocab, JSON.stringify([[1, 2, 99]]));
    await expect(
      run(['--base', modelDir, '--update', file, '--validation', outOfVocab]),
    ).rejects.toMatchObject({ name: 'PocError', code: 'INVALID_VALIDATION_SET' });
    await expect(
      run(['--base', modelDir, '--update', join(dir, 'nope.safetensors'), '--validation', validation]),
    ).rejects.toMatchObject({ name: 'CliError' });
    await expect(
      run(['--base', join(dir, 'no-model'), '--update', file, '--validation', validation]),
    ).rejects.toMatchObject({ code: 'bad_config' });
    await expect(
      run(['--base', modelDir, '--update', file, '--validation', validation, '--median-norm', '-1']),
    ).rejects.toThrow();
  });
});
