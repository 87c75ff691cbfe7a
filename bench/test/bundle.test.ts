import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBenches, forThisPlatform } from '../src/bundle';
import { BUNDLED_BENCHES, NOT_BUNDLED } from '../src/registry';
import { benchNames } from '../src/runner';

describe('bench bundle', () => {
  it('carries every bench module but the ones it names as left out', () => {
    expect(Object.keys(BUNDLED_BENCHES).sort()).toEqual(benchNames().filter((n) => !(n in NOT_BUNDLED)));
    for (const [name, bench] of Object.entries(BUNDLED_BENCHES)) expect(bench.name).toBe(name);
  });

  it('keeps only this platform of prebuilt binaries', () => {
    expect(forThisPlatform('bin/napi-v6/linux/x64/onnxruntime_binding.node', 'linux', 'x64')).toBe(true);
    expect(forThisPlatform('bin/napi-v6/linux/arm64/onnxruntime_binding.node', 'linux', 'x64')).toBe(false);
    expect(forThisPlatform('bin/napi-v6/darwin', 'linux', 'x64')).toBe(false);
    expect(forThisPlatform('prebuilds/linux-x64/classic-level.node', 'linux', 'x64')).toBe(true);
    expect(forThisPlatform('prebuilds/darwin-x64+arm64', 'darwin', 'arm64')).toBe(true);
    expect(forThisPlatform('prebuilds/win32-x64', 'linux', 'x64')).toBe(false);
    expect(forThisPlatform('dist/index.js', 'linux', 'x64')).toBe(true);
  });

  describe('built', () => {
    let out: string;
    beforeAll(async () => {
      out = await bundleBenches(join(mkdtempSync(join(tmpdir(), 'ailo-bench-bundle-')), 'b'));
    }, 60_000);
    afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

    it('runs the network bench with its own CLI and native packages, from another folder', () => {
      expect(existsSync(join(out, 'node_modules/onnxruntime-node/package.json'))).toBe(true);
      const r = spawnSync(process.execPath, [join(out, 'run.mjs'), 'network', '--smoke'], {
        cwd: tmpdir(),
        encoding: 'utf8',
        // no path back into this checkout: the bundle must find everything in its folder
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
        timeout: 90_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/network +time added per hop/);
      expect(r.stdout).toMatch(/network +throughput, 8 concurrent sessions/);
      expect(existsSync(join(out, 'results'))).toBe(false); // smoke runs write nothing
    }, 120_000);

    it('names the modules it has when asked for one it lacks', () => {
      const r = spawnSync(process.execPath, [join(out, 'run.mjs'), 'pipeline', '--smoke'], {
        cwd: tmpdir(),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/unknown bench pipeline; have ailo840m, fedavg/);
    });
  });
});
