/**
 * A worker told to load the next model version while it still loads the
 * previous one (a round ending before its first span is up) must end up
 * serving the newer version, whatever order the loads finish in.
 */
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import { describe, expect, test } from 'vitest';
import { WorkerCore } from '../src/worker/core/WorkerCore';
import { fixtureModelDir } from './fixtures';

const model = loadModelDir(fixtureModelDir('gpt2'));
const V0 = '0'.repeat(64);
const V1 = '1'.repeat(64);
const assignment = (version: string) => ({
  model: 'm',
  version,
  start: 0,
  end: model.config.numLayers,
  manifestUrl: 'http://127.0.0.1:9/manifest.json',
});

/** A worker whose loads of `slow` wait for `release()`; other versions load at once. */
function coreLoadingSlowly(slow: string) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const core = new WorkerCore({
    backend: createNodeBackend('cpu', { threads: 1 }),
    loadSpan: async (a) => {
      if (a.version === slow) await gate;
      return model;
    },
  });
  return { core, release };
}

describe('WorkerCore.assign with two versions in flight', () => {
  test('the older load finishing last is dropped with conflict; the newer version stays served', async () => {
    const { core, release } = coreLoadingSlowly(V0);
    const older = core.assign(assignment(V0));
    await core.assign(assignment(V1));
    expect(core.held?.version).toBe(V1);
    release();
    await expect(older).rejects.toMatchObject({ code: 'conflict' });
    expect(core.held?.version).toBe(V1);
    await core.dispose();
  });

  test('the older load finishing first is replaced when the newer one is up', async () => {
    const { core, release } = coreLoadingSlowly(V1);
    const older = core.assign(assignment(V0));
    const newer = core.assign(assignment(V1));
    // the older load completes while the newer one is pending: it was already superseded
    await expect(older).rejects.toMatchObject({ code: 'conflict' });
    release();
    await newer;
    expect(core.held?.version).toBe(V1);
    await core.dispose();
  });
});
