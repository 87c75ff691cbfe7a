import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_DEFAULTS, type DemoOptions } from '../demo/DemoOptions';
import { summaryLines } from '../demo/printDemo';
import { runDemo } from '../demo/runDemo';
import { createLogger } from '../logging/createLogger';
import { untilSignal } from './untilSignal';

/** `ailo demo` as commander parses it (`--no-serve` sets `serve: false`). */
export type DemoCommandOptions = Partial<Omit<DemoOptions, 'dataDir'>> & { dataDir?: string };

/** `ailo demo`: train, reward, summarise, then serve until SIGINT/SIGTERM (or exit with `--no-serve`). */
export async function demoCommand(raw: DemoCommandOptions): Promise<void> {
  const o: DemoOptions = {
    ...DEMO_DEFAULTS,
    ...raw,
    dataDir: resolve(raw.dataDir ?? join(homedir(), '.ailo', 'demo')),
  } as DemoOptions;
  const log = createLogger({ verbose: o.verbose, role: 'demo' });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const run = await runDemo(o, out, log);
  for (const line of summaryLines(run.summary, o.serve)) out(line);
  if (o.json) out(JSON.stringify(run.summary, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  if (o.serve) await untilSignal();
  await run.close();
}
