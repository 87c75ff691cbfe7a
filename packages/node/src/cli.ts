#!/usr/bin/env node
import { buildCli } from './program';

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = err as { shortMessage?: string; message?: string; code?: string };
    process.stderr.write(
      `ailo: ${e.shortMessage ?? e.message ?? String(err)}${e.code ? ` [${e.code}]` : ''}\n`,
    );
    process.exitCode = 1;
  });
