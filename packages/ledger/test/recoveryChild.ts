// Child process of recovery.test.ts: applies block files to a LevelDB ledger until killed.
import { writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerNode, type LedgerStore } from '../src/index';
import { classicStore, nodeVerifier } from '../src/node';

const [dataDir, blockDir, count] = process.argv.slice(2) as [string, string, string];
const inner = classicStore(join(dataDir, 'ledger'));
// announce each batch write on stdout (synchronously) so the parent can kill us inside it
const store: LedgerStore = {
  open: () => inner.open(),
  close: () => inner.close(),
  get: (k) => inner.get(k),
  entries: (p) => inner.entries(p),
  write: (ops) => {
    writeSync(1, `writing ${ops.length}\n`);
    return inner.write(ops);
  },
};
const node = await LedgerNode.open({ store, verifier: nodeVerifier, clock: () => Date.now() + 1e12 });
writeSync(1, `open ${node.tip.height}\n`);
for (let h = node.tip.height + 1; h <= Number(count); h++) {
  await node.applyBlock(await readFile(join(blockDir, `${h}.bin`)));
  writeSync(1, `applied ${h}\n`);
}
await node.close();
writeSync(1, 'done\n');
