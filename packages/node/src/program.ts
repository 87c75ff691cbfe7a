import { Command } from 'commander';
import { VERSION } from './version';

/** Builds the `ailo` command tree. Subcommands register themselves here. */
export function buildCli(): Command {
  const program = new Command('ailo')
    .description('Ailo reference node: decentralized inference, federated training and AiloCoin')
    .version(VERSION, '-v, --version');

  program
    .command('demo')
    .description('run a coordinator and workers on localhost: train, reward, then serve chat')
    .action(() => {
      process.stdout.write(`ailo ${VERSION}\n`);
    });

  return program;
}
