import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type ChunkProgress,
  fetchManifest,
  float32ToEntry,
  HttpStore,
  MemoryStore,
  makeModelConfig,
  modelTensors,
  packTensors,
  VirtualModel,
  VirtualTensorError,
} from '../src/index';

/** Files the server serves, and how it misbehaves per request. */
const files = new Map<string, Uint8Array>();
type Fault = 'ok' | '500' | '404' | '403' | 'truncate' | 'ignore-range' | 'flip';
let faults: Fault[] = [];
const log: { path: string; range: string | undefined }[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').replace(/^\/model\//, '');
  const range = req.headers.range;
  log.push({ path, range });
  const fault = faults.shift() ?? 'ok';
  const body = files.get(path);
  if (fault === '500') return void res.writeHead(500).end('boom');
  if (fault === '403') return void res.writeHead(403).end('no');
  if (fault === '404' || !body) return void res.writeHead(404).end();
  let start = 0;
  const m = /^bytes=(\d+)-$/.exec(range ?? '');
  if (m && fault !== 'ignore-range') start = Number(m[1]);
  const part = body.subarray(start);
  const headers: Record<string, string | number> = { 'content-length': part.length };
  if (start > 0) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
  res.writeHead(start > 0 ? 206 : 200, headers);
  if (fault === 'truncate') {
    // send part of the body, then drop the connection
    res.write(part.subarray(0, Math.floor(part.length / 2)));
    setTimeout(() => res.socket?.destroy(), 5);
    return;
  }
  res.end(fault === 'flip' ? part.map((x, i) => (i === 0 ? x ^ 1 : x)) : part);
}

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let manifest: Awaited<ReturnType<typeof packTensors>>['manifest'];
beforeAll(async () => {
  const config = makeModelConfig({
    architecture: 'gpt2',
    numLayers: 2,
    hiddenSize: 64,
    numHeads: 4,
    vocabSize: 200,
    maxPositions: 32,
  });
  const tensors = modelTensors(config).map(
    (t) =>
      [
        t.name,
        float32ToEntry(
          new Float32Array(t.shape.reduce((p, d) => p * d, 1)).map((_, i) => Math.sin(i)),
          t.shape,
        ),
      ] as const,
  );
  const packed = await packTensors(tensors, { config, chunks: 3 });
  manifest = packed.manifest;
  packed.chunks.forEach((c, i) => {
    files.set(manifest.chunks[i]!.file, c);
  });
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
});
beforeEach(() => {
  faults = [];
  log.length = 0;
});

const noSleep = async () => {};
const key = () => manifest.chunks[0]!.file;

describe('HttpStore', () => {
  it('fetches a chunk and reports progress up to the total', async () => {
    const events: ChunkProgress[] = [];
    const s = new HttpStore({ baseUrl: base, onProgress: (e) => events.push(e) });
    const b = await s.get(key(), { bytes: manifest.chunks[0]!.bytes });
    expect(Buffer.from(b!).equals(Buffer.from(files.get(key())!))).toBe(true);
    expect(events.at(-1)).toEqual({ key: key(), bytes: b!.length, total: b!.length });
    expect(events.every((e, i) => i === 0 || e.bytes >= events[i - 1]!.bytes)).toBe(true);
  });

  it('resumes a truncated body with a Range request', async () => {
    faults = ['truncate'];
    const s = new HttpStore({ baseUrl: base, sleep: noSleep });
    const b = await s.get(key());
    expect(Buffer.from(b!).equals(Buffer.from(files.get(key())!))).toBe(true);
    expect(log).toHaveLength(2);
    expect(log[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(log[1]!.range!.slice(6, -1))).toBeGreaterThan(0);
  });

  it('starts over when the server ignores Range', async () => {
    faults = ['truncate', 'ignore-range'];
    const b = await new HttpStore({ baseUrl: base, sleep: noSleep }).get(key());
    expect(Buffer.from(b!).equals(Buffer.from(files.get(key())!))).toBe(true);
  });

  it('retries 500 with backoff, then succeeds', async () => {
    faults = ['500', '500'];
    const delays: number[] = [];
    const s = new HttpStore({ baseUrl: base, backoffMs: 100, sleep: async (ms) => void delays.push(ms) });
    expect(await s.get(key())).toBeDefined();
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
  });

  it('gives up on a persistent 500 with HTTP_ERROR', async () => {
    faults = ['500', '500', '500', '500'];
    const err = await new HttpStore({ baseUrl: base, sleep: noSleep }).get(key()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VirtualTensorError);
    expect(err).toMatchObject({ code: 'HTTP_ERROR', meta: { status: 500, attempts: 4 } });
  });

  it('gives up on a body that keeps getting cut with HTTP_ERROR', async () => {
    faults = ['truncate', 'truncate', 'truncate'];
    const err = await new HttpStore({ baseUrl: base, retries: 3, sleep: noSleep })
      .get(key(), { bytes: manifest.chunks[0]!.bytes })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HTTP_ERROR' });
    expect((err as VirtualTensorError).shortMessage).toContain('truncated');
  });

  it('does not retry 403, and maps 404 to "absent"', async () => {
    faults = ['403'];
    await expect(new HttpStore({ baseUrl: base, sleep: noSleep }).get(key())).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      meta: { status: 403 },
    });
    expect(log).toHaveLength(1);
    expect(await new HttpStore({ baseUrl: base }).get('missing.bin')).toBeUndefined();
  });

  it('fails with HTTP_ERROR when nothing listens', async () => {
    const s = new HttpStore({ baseUrl: 'http://127.0.0.1:1/', retries: 2, sleep: noSleep });
    await expect(s.get(key())).rejects.toMatchObject({ code: 'HTTP_ERROR' });
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(new HttpStore({ baseUrl: base }).get(key(), { signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});

describe('VirtualModel over HTTP', () => {
  it('fetches the manifest, loads through a cache, then serves from the cache', async () => {
    const m0 = await fetchManifest(base);
    expect(m0).toEqual(manifest);
    const cache = new MemoryStore();
    const model = VirtualModel.open(m0, new HttpStore({ baseUrl: base, cache }));
    await model.loadAll();
    const requests = log.length;
    expect(await cache.keys()).toEqual(manifest.chunks.map((c) => c.file));
    const again = VirtualModel.open(m0, new HttpStore({ baseUrl: base, cache }));
    await again.loadAll();
    expect(log.length).toBe(requests);
  });

  it('drops a corrupt cached chunk and re-fetches it from the origin', async () => {
    const cache = new MemoryStore();
    await cache.put(
      key(),
      files.get(key())!.map((x, i) => (i === 3 ? x ^ 4 : x)),
    );
    const model = VirtualModel.open(manifest, new HttpStore({ baseUrl: base, cache }));
    await model.chunk(0);
    expect(model.stats.refetches).toBe(1);
    expect(Buffer.from((await cache.get(key()))!).equals(Buffer.from(files.get(key())!))).toBe(true);
  });

  it('a server that keeps sending corrupt bytes → CHUNK_INTEGRITY', async () => {
    faults = ['flip', 'flip'];
    const model = VirtualModel.open(manifest, new HttpStore({ baseUrl: base, cache: new MemoryStore() }));
    await expect(model.chunk(0)).rejects.toMatchObject({ code: 'CHUNK_INTEGRITY' });
  });

  it('404 for a chunk → CHUNK_NOT_FOUND; 404 for the manifest too', async () => {
    faults = ['404'];
    await expect(
      VirtualModel.open(manifest, new HttpStore({ baseUrl: base })).chunk(0),
    ).rejects.toMatchObject({
      code: 'CHUNK_NOT_FOUND',
    });
    await expect(fetchManifest(`${base}nothing/`)).rejects.toMatchObject({ code: 'CHUNK_NOT_FOUND' });
  });
});
