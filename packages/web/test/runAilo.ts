import { buildCli } from '@ailo/node';

/** Runs `ailo <args>` in this process and returns what it wrote to stdout. */
export async function runAilo(args: string[]): Promise<string> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildCli()
      .exitOverride()
      .parseAsync(['node', 'ailo', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out.join('');
}
