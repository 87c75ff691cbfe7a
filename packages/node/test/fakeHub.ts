import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { encodeSafetensors, parseSafetensors } from '@ailo/virtual-tensor';
import { FIXTURE_DIR, TINY_GPT2_CONFIG } from './fixtures';

/** How the hub misbehaves on the next matching request. */
export type HubFault =
  /** send half of the body, then drop the connection */
  | 'drop'
  /** 429 with `Retry-After: <seconds>` */
  | { status: 429; retryAfter: number }
  | { status: 500 }
  /** send the body with one byte flipped */
  | 'corrupt';

/** One request the hub or its storage saw. */
export interface HubRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range: string | undefined;
  authorization: string | undefined;
}

interface HubFile {
  bytes: Uint8Array;
  /** served like a Git LFS file: 302 to the storage origin with X-Linked-Size / X-Linked-Etag */
  lfs: boolean;
}

const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Splits the tiny Qwen2 fixture into two shards plus a `model.safetensors.index.json`. */
function shardQwen2(whole: Uint8Array): Map<string, Uint8Array> {
  const parsed = parseSafetensors(whole);
  const names = [...parsed.tensors.keys()].sort();
  const half = Math.ceil(names.length / 2);
  const out = new Map<string, Uint8Array>();
  const weightMap: Record<string, string> = {};
  [names.slice(0, half), names.slice(half)].forEach((part, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    out.set(file, encodeSafetensors(part.map((n) => [n, parsed.tensors.get(n)!] as const)));
    for (const n of part) weightMap[n] = file;
  });
  out.set(
    'model.safetensors.index.json',
    json({ metadata: { total_size: whole.length }, weight_map: weightMap }),
  );
  return out;
}

/** The repositories the fake hub serves (revision `main` only). */
function repositories(): Map<string, Map<string, HubFile>> {
  const qwenWeights = new Uint8Array(readFileSync(join(FIXTURE_DIR, 'tiny_qwen2.safetensors')));
  const qwenConfig = new Uint8Array(readFileSync(join(FIXTURE_DIR, 'tiny_qwen2_config.json')));
  const gpt2Weights = new Uint8Array(readFileSync(join(FIXTURE_DIR, 'tiny_distilgpt2.safetensors')));
  const side = {
    'tokenizer_config.json': { bytes: json({ chat_template: '{{ messages[0].content }}' }), lfs: false },
    'generation_config.json': { bytes: json({ max_new_tokens: 8 }), lfs: false },
  };
  const qwen = new Map<string, HubFile>(
    Object.entries({
      'config.json': { bytes: qwenConfig, lfs: false },
      'model.safetensors': { bytes: qwenWeights, lfs: true },
      ...side,
    }),
  );
  const sharded = new Map<string, HubFile>([['config.json', { bytes: qwenConfig, lfs: false }]]);
  for (const [f, b] of shardQwen2(qwenWeights)) sharded.set(f, { bytes: b, lfs: f.endsWith('.safetensors') });
  const gpt2 = new Map<string, HubFile>([
    ['config.json', { bytes: json(TINY_GPT2_CONFIG), lfs: false }],
    // served straight from the hub (no redirect), as a mirror might
    ['model.safetensors', { bytes: gpt2Weights, lfs: false }],
  ]);
  const bert = new Map<string, HubFile>([
    ['config.json', { bytes: json({ model_type: 'bert' }), lfs: false }],
  ]);
  const binOnly = new Map<string, HubFile>([['config.json', { bytes: qwenConfig, lfs: false }]]);
  return new Map([
    ['tiny/qwen2', qwen],
    ['tiny/qwen2-sharded', sharded],
    ['tiny/gpt2', gpt2],
    ['tiny/bert', bert],
    ['tiny/bin-only', binOnly],
    ['private/qwen2', qwen],
  ]);
}

/** A Hugging Face–compatible hub on 127.0.0.1, plus a second origin playing the LFS storage. */
export class FakeHub {
  readonly repos = repositories();
  readonly log: HubRequest[] = [];
  /** faults by file name, consumed by the next GET of that file's bytes */
  readonly faults = new Map<string, HubFault[]>();
  /** the token `private/*` repositories accept */
  readonly token = 'hf_test_secret';
  #hub!: Server;
  #cdn!: Server;
  endpoint = '';
  #cdnBase = '';
  /** blobs by sha256 on the storage origin */
  readonly #blobs = new Map<string, { file: string; bytes: Uint8Array }>();

  async start(): Promise<this> {
    this.#hub = createServer((req, res) => this.#serveHub(req, res));
    this.#cdn = createServer((req, res) => this.#serveCdn(req, res));
    for (const s of [this.#hub, this.#cdn]) await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.#hub.address() as AddressInfo).port}`;
    this.#cdnBase = `http://127.0.0.1:${(this.#cdn.address() as AddressInfo).port}`;
    for (const files of this.repos.values()) {
      for (const [file, f] of files) if (f.lfs) this.#blobs.set(sha256(f.bytes), { file, bytes: f.bytes });
    }
    return this;
  }

  async stop(): Promise<void> {
    for (const s of [this.#hub, this.#cdn]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  /** Queues faults for the next GETs of `file`'s bytes. */
  fault(file: string, ...f: HubFault[]): void {
    this.faults.set(file, [...(this.faults.get(file) ?? []), ...f]);
  }

  /** Requests whose path ends with `file`. */
  requests(file: string): HubRequest[] {
    return this.log.filter((r) => r.path.endsWith(`/${file}`) || r.path.endsWith(file));
  }

  #record(server: 'hub' | 'cdn', req: IncomingMessage): void {
    this.log.push({
      server,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
  }

  #serveHub(req: IncomingMessage, res: ServerResponse): undefined {
    this.#record('hub', req);
    const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? '');
    const notFound = (code: string): undefined =>
      void res.writeHead(404, { 'x-error-code': code, 'x-error-message': `${code} (fake hub)` }).end();
    if (!m) return notFound('RepoNotFound');
    const [, repo, rev, file] = m as unknown as [string, string, string, string];
    const files = this.repos.get(repo);
    if (repo.startsWith('private/') && req.headers.authorization !== `Bearer ${this.token}`) {
      // the hub hides private repositories from anonymous or wrong tokens
      return void res
        .writeHead(401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Invalid credentials' })
        .end();
    }
    if (!files) return notFound('RepoNotFound');
    if (decodeURIComponent(rev) !== 'main') return notFound('RevisionNotFound');
    const f = files.get(decodeURIComponent(file));
    if (!f) return notFound('EntryNotFound');
    if (f.lfs) {
      const sha = sha256(f.bytes);
      return void res
        .writeHead(302, {
          location: `${this.#cdnBase}/blobs/${sha}`,
          'x-linked-size': f.bytes.length,
          'x-linked-etag': `"${sha}"`,
          etag: `"${sha}"`,
        })
        .end();
    }
    // non-LFS files: the ETag is a git blob id (sha1), not a sha256
    const gitSha = createHash('sha1').update(`blob ${f.bytes.length}\0`).update(f.bytes).digest('hex');
    return this.#sendBytes(req, res, decodeURIComponent(file), f.bytes, { etag: `"${gitSha}"` });
  }

  #serveCdn(req: IncomingMessage, res: ServerResponse): undefined {
    this.#record('cdn', req);
    const blob = this.#blobs.get((req.url ?? '').replace(/^\/blobs\//, ''));
    if (!blob) return void res.writeHead(404).end();
    return this.#sendBytes(req, res, blob.file, blob.bytes, {});
  }

  #sendBytes(
    req: IncomingMessage,
    res: ServerResponse,
    file: string,
    body: Uint8Array,
    headers: Record<string, string>,
  ): undefined {
    const head = req.method === 'HEAD';
    const queue = this.faults.get(file);
    const fault = head ? undefined : queue?.shift();
    if (fault && typeof fault === 'object') {
      const h: Record<string, string> =
        fault.status === 429 ? { 'retry-after': String(fault.retryAfter) } : {};
      return void res.writeHead(fault.status, h).end();
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    if (m && start >= body.length) {
      return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    }
    const part = body.subarray(start);
    const h: Record<string, string | number> = { ...headers, 'content-length': part.length };
    if (m) h['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    res.writeHead(m ? 206 : 200, h);
    if (head) return void res.end();
    if (fault === 'drop') {
      res.write(part.subarray(0, Math.floor(part.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    res.end(fault === 'corrupt' ? part.map((x, i) => (i === part.length - 1 ? x ^ 1 : x)) : part);
  }
}
