#!/usr/bin/env node
import { followLauncher, needsRelaunch, relaunch } from './cli/nodeFlags';
import { buildCli } from './program';

function fail(err: unknown): void {
  const e = err as { shortMessage?: string; message?: string; code?: string };
  process.stderr.write(
    `ailo: ${e.shortMessage ?? e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}\n`,
  );
  process.exitCode = 1;
}

if (needsRelaunch()) {
  relaunch().then((code) => {
    process.exitCode = code;
  }, fail);
} else {
  followLauncher();
  buildCli().parseAsync(process.argv).catch(fail);
}
