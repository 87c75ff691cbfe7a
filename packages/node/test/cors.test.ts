import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoordinatorNode, startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { createTinyModel } from '../src/model/createTinyModel';

const UI = 'http://ui.example:5173';
const root = mkdtempSync(join(tmpdir(), 'ailo-cors-'));
const modelDir = join(root, 'model');
const nodes: CoordinatorNode[] = [];
let open: CoordinatorNode;
let closed: CoordinatorNode;

beforeAll(async () => {
  createTinyModel(modelDir, { layers: 1, hidden: 32, heads: 2, context: 32 }, 1);
  const start = (name: string, corsOrigins?: string[]) =>
    startCoordinatorNode({
      dataDir: join(root, name),
      port: 0,
      models: [{ dir: modelDir }],
      ...(corsOrigins ? { corsOrigins } : {}),
    });
  open = await start('open', [UI]);
  closed = await start('closed');
  nodes.push(open, closed);
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  rmSync(root, { recursive: true, force: true });
});

describe('CORS on the coordinator HTTP API', () => {
  it('allows a listed origin, on API answers and model files', async () => {
    const health = await fetch(`${open.coordinator.httpUrl}/health`, { headers: { origin: UI } });
    expect(health.status).toBe(200);
    expect(health.headers.get('access-control-allow-origin')).toBe(UI);
    expect(health.headers.get('vary')).toBe('Origin');
    const { models } = (await health.json()) as { models: { id: string; version: string }[] };
    const m = models[0]!;
    const manifest = await fetch(
      `${open.coordinator.httpUrl}/models/${encodeURIComponent(m.id)}/${m.version}/manifest.json`,
      { headers: { origin: UI } },
    );
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('access-control-allow-origin')).toBe(UI);
    expect(manifest.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('answers a preflight for a listed origin with 204 and the allowed methods', async () => {
    const r = await fetch(`${open.coordinator.httpUrl}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin: UI,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(UI);
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    expect(r.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('gives other origins, and every origin by default, no CORS headers', async () => {
    const other = await fetch(`${open.coordinator.httpUrl}/health`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${open.coordinator.httpUrl}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.status).not.toBe(204);
    const byDefault = await fetch(`${closed.coordinator.httpUrl}/health`, { headers: { origin: UI } });
    expect(byDefault.headers.get('access-control-allow-origin')).toBeNull();
  });
});
