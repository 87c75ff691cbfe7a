import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModel } from '@ailo/pipeline/node';
import { type PullFs, pullModel } from '@ailo/virtual-tensor/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeHub } from './fakeHub';
import { FIXTURE_DIR, tempDir } from './fixtures';
import { runCli } from './runCli';

const hub = new FakeHub();
const work = tempDir('ailo-pull-');
let n = 0;
const outDir = () => join(work, `m${n++}`);
const savedEnv = { HF_TOKEN: process.env['HF_TOKEN'], HF_ENDPOINT: process.env['HF_ENDPOINT'] };
const noSleep = async () => {};

beforeAll(async () => {
  await hub.start();
});
afterAll(async () => {
  await hub.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  delete process.env['HF_TOKEN'];
  delete process.env['HF_ENDPOINT'];
  hub.log.length = 0;
  hub.faults.clear();
});
afterEach(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const fixtureBytes = (name: string) => new Uint8Array(readFileSync(join(FIXTURE_DIR, name)));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const QWEN = fixtureBytes('tiny_qwen2.safetensors');

/** Pulls with the CLI and returns its JSON summary. */
async function pull(repo: string, out: string, ...extra: string[]) {
  const text = await runCli([
    'model',
    'pull',
    repo,
    '--endpoint',
    hub.endpoint,
    '--out',
    out,
    '--json',
    ...extra,
  ]);
  return JSON.parse(text) as {
    files: { file: string; bytes: number; sha256?: string; reused: boolean }[];
    fetchedBytes: number;
    architecture: string;
    chunks: number;
    keptDir?: string;
  };
}

/** Largest |ours − reference| over the fixture's three sequences, running the packed model. */
async function logitsError(dir: string, fixture: 'qwen2' | 'gpt2'): Promise<number> {
  const ref = JSON.parse(
    readFileSync(
      join(FIXTURE_DIR, fixture === 'qwen2' ? 'tiny_qwen2_logits.json' : 'tiny_distilgpt2_logits.json'),
      'utf8',
    ),
  ) as { sequences: number[][]; logits: number[][][] };
  const m = await loadModel(dir);
  const chain = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'), { stages: 2 });
  let worst = 0;
  for (let s = 0; s < ref.sequences.length; s++) {
    const got = (await chain.forward(`s${s}`, [ref.sequences[s]!])).data as Float32Array;
    const want = ref.logits[s]!.flat();
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  }
  await chain.dispose();
  return worst;
}

describe('ailo model pull', () => {
  it('pulls a single-file model from the hub, checks its sha256, packs it and it runs', async () => {
    const out = outDir();
    const s = await pull('tiny/qwen2', out, '--chunks', '3');
    expect(s).toMatchObject({ architecture: 'qwen2', chunks: 3 });
    const weights = s.files.find((f) => f.file === 'model.safetensors')!;
    expect(weights).toMatchObject({ bytes: QWEN.length, sha256: sha256(QWEN), reused: false });
    expect(s.files.map((f) => f.file).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'tokenizer_config.json',
    ]);
    // optional files the repository lacks were asked for and skipped
    expect(hub.requests('special_tokens_map.json')).toHaveLength(1);
    // config and tokenizer files sit beside the manifest; the raw download is gone
    expect(readdirSync(out).sort()).toEqual([
      'chunk-00000.bin',
      'chunk-00001.bin',
      'chunk-00002.bin',
      'config.json',
      'generation_config.json',
      'manifest.json',
      'tokenizer_config.json',
    ]);
    expect(existsSync(`${out}.download`)).toBe(false);
    expect(await logitsError(out, 'qwen2')).toBeLessThanOrEqual(1e-4);
  });

  it('pulls a sharded model through model.safetensors.index.json', async () => {
    const out = outDir();
    const s = await pull('tiny/qwen2-sharded', out);
    const shards = s.files.filter((f) => f.file.endsWith('.safetensors')).map((f) => f.file);
    expect(shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(s.files.some((f) => f.file === 'model.safetensors.index.json')).toBe(true);
    expect(hub.requests('/model.safetensors')).toHaveLength(0);
    expect(await logitsError(out, 'qwen2')).toBeLessThanOrEqual(1e-4);
  });

  it('pulls a model served without LFS redirects (no sha256 given) and it runs', async () => {
    const out = outDir();
    const s = await pull('tiny/gpt2', out);
    const weights = s.files.find((f) => f.file === 'model.safetensors')!;
    expect(weights.bytes).toBe(readFileSync(join(FIXTURE_DIR, 'tiny_distilgpt2.safetensors')).length);
    expect(weights.sha256).toBeUndefined();
    expect(await logitsError(out, 'gpt2')).toBeLessThanOrEqual(1e-4);
  });

  it('resumes a connection dropped mid-file with a Range request; the sha256 still matches', async () => {
    hub.fault('model.safetensors', 'drop');
    const out = outDir();
    const s = await pull('tiny/qwen2', out);
    const gets = hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]!.range).toBeUndefined();
    expect(Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1])).toBeGreaterThan(0);
    expect(s.files.find((f) => f.file === 'model.safetensors')!.sha256).toBe(sha256(QWEN));
    expect(await logitsError(out, 'qwen2')).toBeLessThanOrEqual(1e-4);
  });

  it('resumes a partial download left by an earlier run', async () => {
    const out = outDir();
    mkdirSync(`${out}.download`, { recursive: true });
    const half = Math.floor(QWEN.length / 2);
    writeFileSync(join(`${out}.download`, 'model.safetensors.part'), QWEN.subarray(0, half));
    const s = await pull('tiny/qwen2', out);
    const get = hub.log.find((r) => r.server === 'cdn' && r.method === 'GET')!;
    expect(get.range).toBe(`bytes=${half}-`);
    const small = s.files.filter((f) => f.file !== 'model.safetensors').reduce((a, f) => a + f.bytes, 0);
    expect(s.fetchedBytes).toBe(QWEN.length - half + small);
    expect(await logitsError(out, 'qwen2')).toBeLessThanOrEqual(1e-4);
  });

  it('waits for Retry-After on 429, then completes', async () => {
    hub.fault('model.safetensors', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    await pull('tiny/qwen2', outDir());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET')).toHaveLength(2);
  });

  it('401 without HF_TOKEN says to set it; with HF_TOKEN the pull works and the token never leaves the hub', async () => {
    const out = outDir();
    const err = await pull('private/qwen2', out).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'VirtualTensorError', code: 'HUB_UNAUTHORIZED' });
    expect((err as Error & { shortMessage: string }).shortMessage).toContain('set HF_TOKEN');

    process.env['HF_TOKEN'] = 'hf_wrong';
    const wrong = await pull('private/qwen2', out).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'HUB_UNAUTHORIZED' });
    expect((wrong as Error & { shortMessage: string }).shortMessage).toContain('rejected HF_TOKEN');

    process.env['HF_TOKEN'] = hub.token;
    hub.log.length = 0;
    const s = await pull('private/qwen2', out);
    expect(s.architecture).toBe('qwen2');
    expect(
      hub.log.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${hub.token}`),
    ).toBe(true);
    const cdn = hub.log.filter((r) => r.server === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('404s name what is missing: repository, revision, weights', async () => {
    const out = outDir();
    await expect(pull('tiny/nope', out)).rejects.toMatchObject({
      code: 'HUB_NOT_FOUND',
      shortMessage: expect.stringContaining('Repository tiny/nope does not exist'),
    });
    expect(existsSync(`${out}.download`)).toBe(false); // nothing to resume, nothing left behind
    await expect(pull('tiny/qwen2', outDir(), '--revision', 'v9')).rejects.toMatchObject({
      code: 'HUB_NOT_FOUND',
      shortMessage: expect.stringContaining('--revision'),
    });
    await expect(pull('tiny/bin-only', outDir())).rejects.toMatchObject({
      code: 'HUB_NOT_FOUND',
      shortMessage: expect.stringContaining('only safetensors'),
    });
  });

  it('rejects an unsupported family before fetching weights, and a malformed repository id', async () => {
    await expect(pull('tiny/bert', outDir())).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(hub.log.some((r) => r.path.includes('safetensors'))).toBe(false);
    await expect(pull('../etc/passwd', outDir())).rejects.toMatchObject({ code: 'HUB_INVALID' });
  });

  it('--keep-download leaves the raw files in <out>/.hf and a second pull reuses them', async () => {
    const out = outDir();
    const first = await pull('tiny/qwen2', out, '--keep-download');
    expect(first.keptDir).toBe(join(out, '.hf'));
    expect(sha256(new Uint8Array(readFileSync(join(out, '.hf', 'model.safetensors'))))).toBe(sha256(QWEN));
    hub.log.length = 0;
    const again = await pull('tiny/qwen2', out, '--keep-download');
    expect(again.files.find((f) => f.file === 'model.safetensors')!.reused).toBe(true);
    expect(hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET')).toHaveLength(0);
    expect(await logitsError(out, 'qwen2')).toBeLessThanOrEqual(1e-4);
  });
});

describe('pullModel failures', () => {
  const opts = (out: string) => ({ repo: 'tiny/qwen2', out, endpoint: hub.endpoint, sleep: noSleep });

  it('a body that keeps getting cut → DOWNLOAD_INCOMPLETE, the .part is kept, the next run finishes', async () => {
    const out = outDir();
    hub.fault('model.safetensors', 'drop', 'drop', 'drop');
    const err = await pullModel({ ...opts(out), retries: 3 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DOWNLOAD_INCOMPLETE', meta: { total: QWEN.length } });
    const part = join(`${out}.download`, 'model.safetensors.part');
    const kept = readFileSync(part).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(QWEN.length);
    const r = await pullModel(opts(out));
    expect(r.files.find((f) => f.file === 'model.safetensors')!.sha256).toBe(sha256(QWEN));
  });

  it('corrupt bytes → DOWNLOAD_INTEGRITY and the file is deleted', async () => {
    const out = outDir();
    hub.fault('model.safetensors', 'corrupt');
    await expect(pullModel(opts(out))).rejects.toMatchObject({ code: 'DOWNLOAD_INTEGRITY' });
    expect(existsSync(join(`${out}.download`, 'model.safetensors.part'))).toBe(false);
    expect(existsSync(join(`${out}.download`, 'model.safetensors'))).toBe(false);
  });

  it('429 that persists → HUB_RATE_LIMITED after honouring each Retry-After', async () => {
    const delays: number[] = [];
    hub.fault(
      'model.safetensors',
      ...Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: 2 })),
    );
    const err = await pullModel({ ...opts(outDir()), sleep: async (ms) => void delays.push(ms) }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'HUB_RATE_LIMITED',
      meta: { status: 429, attempts: 4, retryAfterMs: 2000 },
    });
    expect((err as { shortMessage: string }).shortMessage).toContain('wait 2 s');
    expect(delays).toHaveLength(3);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(2000);
  });

  it('a disk that fills up → IO_ERROR ENOSPC with the fix; the partial file stays for the next run', async () => {
    const out = outDir();
    let budget = 3000; // bytes the fake disk accepts into the weights' .part file
    const fs: PullFs = {
      ...fsp,
      open: (async (path: string, flags?: string) => {
        const fh = await fsp.open(path, flags);
        if (!String(path).endsWith('model.safetensors.part')) return fh;
        const write = fh.write.bind(fh) as (
          b: Uint8Array,
          o: number,
          l: number,
        ) => Promise<{ bytesWritten: number }>;
        Object.assign(fh, {
          write: async (buf: Uint8Array, off = 0, len = buf.length - off) => {
            if (budget <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            const n = Math.min(len, budget);
            budget -= n;
            return write(buf, off, n);
          },
        });
        return fh;
      }) as PullFs['open'],
    };
    const err = await pullModel({ ...opts(out), fs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IO_ERROR', meta: { code: 'ENOSPC' } });
    expect((err as { shortMessage: string }).shortMessage).toMatch(/Disk full .*--out/);
    expect(readFileSync(join(`${out}.download`, 'model.safetensors.part')).length).toBe(3000);
    const r = await pullModel(opts(out));
    expect(r.files.find((f) => f.file === 'model.safetensors')!.sha256).toBe(sha256(QWEN));
  });

  it('too little free space is reported before the weights are fetched', async () => {
    const fs: PullFs = {
      ...fsp,
      statfs: (async () => ({ bavail: 1, bsize: 4096 })) as unknown as PullFs['statfs'],
    };
    await expect(pullModel({ ...opts(outDir()), fs })).rejects.toMatchObject({
      code: 'IO_ERROR',
      meta: { code: 'ENOSPC', need: 2 * QWEN.length },
    });
    expect(hub.log.some((r) => r.server === 'cdn')).toBe(false);
  });

  it('reports download progress up to the weights total, then pack progress', async () => {
    const events: { phase: string; bytes: number; total: number }[] = [];
    await pullModel({ ...opts(outDir()), onProgress: (p) => events.push(p) });
    const dl = events.filter((e) => e.phase === 'download');
    expect(dl.at(-1)).toMatchObject({ bytes: QWEN.length, total: QWEN.length });
    expect(dl.every((e, i) => i === 0 || e.bytes >= dl[i - 1]!.bytes)).toBe(true);
    const pack = events.filter((e) => e.phase === 'pack');
    expect(pack.at(-1)!.bytes).toBe(pack.at(-1)!.total);
  });

  it('HF_ENDPOINT picks the endpoint when none is given', async () => {
    process.env['HF_ENDPOINT'] = hub.endpoint;
    const r = await pullModel({ repo: 'tiny/gpt2', out: outDir() });
    expect(r.ref.endpoint).toBe(hub.endpoint);
  });
});
