#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConformanceError } from './errors';
import { formatResult, runConformance } from './node';
import type { TargetRole } from './types';

const USAGE = `usage: ailo-conformance --target ws://HOST:PORT [--http http://HOST:PORT] [--role coordinator|worker]
                        [--fixtures DIR] [--wait-ms MS] [--handshake-deadline-ms MS] [--only PREFIX]... [--json]

  role coordinator (default): dial the node at --target and run every coordinator suite.
  role worker: listen at --target, wait for the worker under test to connect (ailo worker --coordinator <target>),
               assign it the whole model served at --http, and check its logits against --fixtures (hf-tiny).
Exit code: 0 all passed (skips allowed), 1 a case failed, 2 bad options.`;

async function main(): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help || !values.target) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const role = (values.role ?? 'coordinator') as TargetRole;
  if (role !== 'coordinator' && role !== 'worker') {
    process.stderr.write(`--role must be coordinator or worker\n`);
    return 2;
  }
  const json = values.json === true;
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new ConformanceError('bad_options', `${name} must be a positive number`);
    return n;
  };
  const waitMs = num(values['wait-ms'], '--wait-ms');
  const deadline = num(values['handshake-deadline-ms'], '--handshake-deadline-ms');
  const results = await runConformance({
    target: values.target,
    role,
    ...(values.http ? { http: values.http } : {}),
    ...(values.fixtures ? { fixtures: values.fixtures } : {}),
    ...(waitMs ? { waitMs } : {}),
    ...(deadline ? { handshakeDeadlineMs: deadline } : {}),
    ...(values.only?.length ? { only: values.only } : {}),
    onListening: (url) =>
      process.stdout.write(
        json
          ? `${JSON.stringify({ event: 'listening', url })}\n`
          : `listening on ${url} for the worker under test\n`,
      ),
    onResult: (r) =>
      process.stdout.write(
        json ? `${JSON.stringify({ event: 'case', ...r, ms: Math.round(r.ms) })}\n` : `${formatResult(r)}\n`,
      ),
  });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = {
    passed: count('pass'),
    failed: count('fail'),
    skipped: count('skip'),
    total: results.length,
  };
  process.stdout.write(
    json
      ? `${JSON.stringify({ event: 'summary', ...summary })}\n`
      : `\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped of ${summary.total}\n`,
  );
  return summary.failed > 0 ? 1 : 0;
}

function parse() {
  return parseArgs({
    options: {
      target: { type: 'string' },
      http: { type: 'string' },
      role: { type: 'string' },
      fixtures: { type: 'string' },
      'wait-ms': { type: 'string' },
      'handshake-deadline-ms': { type: 'string' },
      only: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

main().then(
  (code) => process.exit(code),
  (e) => {
    const err = e as ConformanceError;
    process.stderr.write(`ailo-conformance: ${err.shortMessage ?? err.message}\n`);
    process.exit(err.code === 'bad_options' ? 2 : 1);
  },
);
