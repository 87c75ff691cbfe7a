import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fetchResumable,
  HttpStore,
  hubFileUrl,
  hubRef,
  hubStatusError,
  MemorySink,
  parseRetryAfter,
  RetryableFailure,
  resolveHubFile,
  withRetries,
} from '../src/index';
import { FileSink } from '../src/node';

const dir = mkdtempSync(join(tmpdir(), 'vt-hub-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Call = { url: string; method: string; headers: Record<string, string> };

/** A fetch that answers from a list of handlers, recording each request. */
function fakeFetch(handler: (c: Call, n: number) => Response): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (input: URL | string, init?: RequestInit) => {
    const c = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>)),
    };
    calls.push(c);
    return handler(c, calls.length - 1);
  }) as typeof fetch;
  return { fetch: f, calls };
}

const ref = hubRef('org/model', { endpoint: 'https://hub.example/' });

describe('Retry-After and retries', () => {
  it('parses delay-seconds and HTTP-dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 00:00:10 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('waits at least Retry-After, and gives up at once when it is longer than allowed', async () => {
    const delays: number[] = [];
    let n = 0;
    const v = await withRetries({ sleep: async (ms) => void delays.push(ms), backoffMs: 1 }, async () => {
      if (n++ < 2) throw new RetryableFailure('busy', 429, 1500);
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(delays).toHaveLength(2);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(1500);
    const err = await withRetries({ sleep: async () => {}, maxRetryAfterMs: 1000 }, async () => {
      throw new RetryableFailure('busy', 429, 5000);
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryAfterTooLong: true, attempts: 1, status: 429 });
  });

  it('HttpStore honours Retry-After on 429', async () => {
    const body = new Uint8Array([1, 2, 3, 4]);
    const { fetch: f } = fakeFetch((_c, n) =>
      n === 0 ? new Response(null, { status: 429, headers: { 'retry-after': '2' } }) : new Response(body),
    );
    const delays: number[] = [];
    const s = new HttpStore({
      baseUrl: 'https://x.example/m/',
      fetch: f,
      sleep: async (ms) => void delays.push(ms),
    });
    expect(await s.get('chunk-00000.bin')).toEqual(body);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
  });

  it('errors thrown by the sink end the transfer without retries', async () => {
    const { fetch: f, calls } = fakeFetch(() => new Response(new Uint8Array(10)));
    const sink = Object.assign(new MemorySink(), {
      write() {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    });
    await expect(fetchResumable(new URL('https://x.example/a'), sink, { fetch: f })).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(calls).toHaveLength(1);
  });
});

describe('hub references', () => {
  it('builds resolve URLs with encoded revision and path', () => {
    expect(ref.endpoint).toBe('https://hub.example');
    expect(hubFileUrl(ref, 'config.json').href).toBe(
      'https://hub.example/org/model/resolve/main/config.json',
    );
    const pr = hubRef('gpt2', { endpoint: 'https://mirror.example/hf', revision: 'refs/pr/1' });
    expect(hubFileUrl(pr, 'onnx/model.onnx').href).toBe(
      'https://mirror.example/hf/gpt2/resolve/refs%2Fpr%2F1/onnx/model.onnx',
    );
  });

  it.each([
    ['../etc/passwd', {}],
    ['a/b/c', {}],
    ['org/-bad', {}],
    ['org/na--me', {}],
    ['', {}],
    ['org/model', { revision: '../main' }],
    ['org/model', { revision: '' }],
    ['org/model', { endpoint: 'ftp://hub.example' }],
    ['org/model', { endpoint: 'not a url' }],
  ])('rejects %j %j with HUB_INVALID', (repo, o) => {
    expect(() => hubRef(repo, o)).toThrowError(expect.objectContaining({ code: 'HUB_INVALID' }));
  });
});

describe('hub status errors', () => {
  const ctx = { ref, file: 'config.json', url: 'https://hub.example/x', withToken: false };
  const h = (code?: string) => new Headers(code ? { 'x-error-code': code } : {});
  it.each([
    [401, undefined, false, 'HUB_UNAUTHORIZED', 'set HF_TOKEN'],
    [401, 'RepoNotFound', true, 'HUB_UNAUTHORIZED', 'rejected HF_TOKEN'],
    [403, 'GatedRepo', true, 'HUB_UNAUTHORIZED', 'accept its terms'],
    [404, 'RepoNotFound', false, 'HUB_NOT_FOUND', 'does not exist'],
    [404, 'RevisionNotFound', false, 'HUB_NOT_FOUND', '--revision'],
    [404, 'EntryNotFound', false, 'HUB_NOT_FOUND', 'has no file config.json'],
    [404, undefined, false, 'HUB_NOT_FOUND', '--endpoint'],
    [400, undefined, false, 'HUB_INVALID', '--endpoint'],
  ] as const)('%i %s (token %s) → %s', (status, hubCode, withToken, code, text) => {
    const e = hubStatusError(status, h(hubCode), { ...ctx, withToken });
    expect(e.code).toBe(code);
    expect(e.shortMessage).toContain(text);
    expect(e.meta).toMatchObject({ status, hubCode });
  });
});

describe('resolveHubFile', () => {
  const sha = 'a'.repeat(64);

  it('reads size and sha256 from an LFS redirect; the token is sent to the hub only', async () => {
    const { fetch: f, calls } = fakeFetch(
      () =>
        new Response(null, {
          status: 302,
          headers: {
            location: 'https://cdn.example/blob?sig=1',
            'x-linked-size': '1234',
            'x-linked-etag': `"${sha}"`,
          },
        }),
    );
    const info = await resolveHubFile(ref, 'model.safetensors', { fetch: f, token: 't0k' });
    expect(info).toMatchObject({ size: 1234, sha256: sha, sameOrigin: false });
    expect(info.downloadUrl.href).toBe('https://cdn.example/blob?sig=1');
    expect(calls[0]).toMatchObject({ method: 'HEAD', headers: { authorization: 'Bearer t0k' } });
  });

  it('follows a same-origin redirect (renamed repository), keeps a git ETag out of sha256', async () => {
    const { fetch: f, calls } = fakeFetch((_c, n) =>
      n === 0
        ? new Response(null, {
            status: 307,
            headers: { location: '/new-org/model/resolve/main/config.json' },
          })
        : new Response(null, {
            status: 200,
            headers: { 'content-length': '42', etag: `"${'b'.repeat(40)}"` },
          }),
    );
    const info = await resolveHubFile(ref, 'config.json', { fetch: f });
    expect(calls[1]!.url).toBe('https://hub.example/new-org/model/resolve/main/config.json');
    expect(info).toMatchObject({ size: 42, sha256: undefined, sameOrigin: true });
  });

  it('retries 503 and 429, then maps a persistent 429 to HUB_RATE_LIMITED', async () => {
    const { fetch: ok } = fakeFetch((_c, n) =>
      n < 2 ? new Response(null, { status: n === 0 ? 503 : 429 }) : new Response(null, { status: 200 }),
    );
    await expect(resolveHubFile(ref, 'a.json', { fetch: ok, sleep: async () => {} })).resolves.toMatchObject({
      file: 'a.json',
    });
    const { fetch: busy } = fakeFetch(
      () => new Response(null, { status: 429, headers: { 'retry-after': '1' } }),
    );
    await expect(resolveHubFile(ref, 'a.json', { fetch: busy, sleep: async () => {} })).rejects.toMatchObject(
      {
        code: 'HUB_RATE_LIMITED',
        meta: { attempts: 4, retryAfterMs: 1000 },
      },
    );
  });

  it('maps 401 to HUB_UNAUTHORIZED without retrying', async () => {
    const { fetch: f, calls } = fakeFetch(() => new Response(null, { status: 401 }));
    await expect(resolveHubFile(ref, 'config.json', { fetch: f })).rejects.toMatchObject({
      code: 'HUB_UNAUTHORIZED',
    });
    expect(calls).toHaveLength(1);
  });
});

describe('FileSink', () => {
  it('resumes after the bytes on disk, hashes all of them, and truncates on reset', async () => {
    const path = join(dir, 'f.part');
    writeFileSync(path, 'hello ');
    const sink = await FileSink.open(path, fsp);
    expect(sink.size).toBe(6);
    await sink.write(new TextEncoder().encode('world'));
    expect(sink.sha256()).toBe(createHash('sha256').update('hello world').digest('hex'));
    await sink.reset();
    await sink.write(new TextEncoder().encode('x'));
    await sink.close();
    expect(readFileSync(path, 'utf8')).toBe('x');
  });
});
