import { Command } from 'commander';
import { registerFlCommands } from './commands/fl';
import { registerLedgerCommands } from './commands/ledger';
import { registerModelRunCommands } from './commands/modelRun';
import { registerModelStoreCommands } from './commands/modelStore';
import { registerNetworkCommands } from './commands/network';
import { registerPocCommands } from './commands/poc';
import { registerTrainCommands } from './commands/train';
import { registerWalletCommands } from './commands/wallet';
import { VERSION } from './version';

/** Builds the `ailo` command tree. */
export function buildCli(): Command {
  const program = new Command('ailo')
    .description('Ailo reference node: decentralized inference, federated training and AiloCoin')
    .version(VERSION, '-v, --version');

  const model = program.command('model').description('pack, inspect, plan and run models');
  registerModelStoreCommands(model); // pack, inspect, plan (@ailo/virtual-tensor)
  registerModelRunCommands(program, model); // generate, model logits, model grads, train (@ailo/pipeline)
  registerTrainCommands(program, model); // train, model grads (@ailo/pipeline training)
  registerWalletCommands(program); // wallet new|show (@ailo/ledger)
  registerLedgerCommands(program); // ledger verify|balance (@ailo/ledger)
  registerFlCommands(program); // fl aggregate (@ailo/fedavg)
  registerPocCommands(program); // poc check (@ailo/poc)
  registerNetworkCommands(program); // demo, coordinator, worker
  return program;
}
