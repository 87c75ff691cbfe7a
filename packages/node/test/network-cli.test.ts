import { describe, expect, test } from 'vitest';
import { parseLayers } from '../src/cli/parseLayers';
import { CliError } from '../src/cliError';
import { fixtureModelDir, tempDir } from './fixtures';
import { spawnCli } from './processes';
import { runCli } from './runCli';

describe('ailo coordinator / ailo worker', () => {
  test('bad flags fail with a usage error before anything starts', async () => {
    await expect(runCli(['worker', '--coordinator', 'http://x'])).rejects.toThrow(/ws:\/\/HOST:PORT/);
    await expect(
      runCli(['worker', '--coordinator', 'ws://127.0.0.1:1', '--layers', '3:1']),
    ).rejects.toBeInstanceOf(CliError);
    await expect(runCli(['worker', '--coordinator', 'ws://127.0.0.1:1', '--backend', 'tpu'])).rejects.toThrow(
      /cpu, cuda or ref/,
    );
    await expect(
      runCli(['worker', '--coordinator', 'ws://127.0.0.1:1', '--corpus', 'brown:poetry']),
    ).rejects.toThrow(/Unknown Brown genre "poetry"/);
    await expect(runCli(['coordinator', '--port', '-1'])).rejects.toThrow(/--port/);
    expect(parseLayers('auto')).toBeUndefined();
    expect(parseLayers('2:5')).toEqual({ start: 2, end: 5 });
  });

  test('a coordinator process and a worker process: ready lines, then the HTTP API answers through them', async () => {
    const data = tempDir();
    const dir = fixtureModelDir('gpt2', data);
    const coord = await spawnCli([
      'coordinator',
      '--port',
      '0',
      '--data-dir',
      `${data}/coord`,
      '--model',
      dir,
      '--json',
    ]);
    const ready = await coord.waitForJson<{
      event: string;
      ws: string;
      http: string;
      models: { id: string; layers: number }[];
    }>((j) => j.event === 'ready');
    expect(ready.models).toEqual([expect.objectContaining({ id: 'tiny-gpt2', layers: 2 })]);
    const worker = await spawnCli(['worker', '--coordinator', ready.ws, '--layers', '0:2', '--json']);
    const serving = await worker.waitForJson<{ event: string; start: number; end: number }>(
      (j) => j.event === 'serving',
    );
    expect([serving.start, serving.end]).toEqual([0, 2]);
    const res = await fetch(`${ready.http}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'tiny-gpt2', prompt: [1, 2, 3], max_tokens: 4, temperature: 0 }),
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.choices[0].token_ids).toHaveLength(4);
    expect(body.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    // the coordinator's logs are structured JSON lines on stderr, quiet by default
    expect(coord.stderr.join('')).toBe('');
    await worker.kill();
    expect(await coord.kill('SIGTERM')).toBe(0);
  });

  test('a worker refused for good (unknown model) exits non-zero with the reason', async () => {
    const data = tempDir();
    const coord = await spawnCli([
      'coordinator',
      '--port',
      '0',
      '--data-dir',
      `${data}/coord`,
      '--model',
      fixtureModelDir('gpt2', data),
      '--json',
    ]);
    const ready = await coord.waitForJson<{ event: string; ws: string }>((j) => j.event === 'ready');
    const worker = await spawnCli(['worker', '--coordinator', ready.ws, '--model', 'nope']);
    expect(await worker.exited).toBe(1);
    expect(worker.stderr.join('')).toMatch(/Unknown model "nope".*\[not_found\]/);
    await coord.kill();
  });

  test('--verbose turns on structured debug logs', async () => {
    const data = tempDir();
    const coord = await spawnCli([
      'coordinator',
      '--port',
      '0',
      '--data-dir',
      `${data}/coord`,
      '--model',
      fixtureModelDir('gpt2', data),
      '--json',
      '--verbose',
    ]);
    await coord.waitForJson((j: { event?: string }) => j.event === 'ready');
    await coord.kill();
    const lines = coord.stderr.join('').trim().split('\n');
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ level: 30, role: 'coordinator', msg: 'coordinator listening' });
  });
});
