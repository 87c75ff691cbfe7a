import { formatResult, runConformance } from '@ailo/conformance/node';

export async function checkNode(target: string, http: string): Promise<boolean> {
  const results = await runConformance({ target, http, only: ['handshake.', 'rpc.'] });
  for (const r of results) console.log(formatResult(r));
  return results.every((r) => r.status !== 'fail');
}
