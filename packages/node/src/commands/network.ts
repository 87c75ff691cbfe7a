import type { Command } from 'commander';
import { VERSION } from '../version';

export function registerNetworkCommands(program: Command): void {
  program
    .command('demo')
    .description('run a coordinator and workers on localhost: train, reward, then serve chat')
    .action(() => {
      process.stdout.write(`ailo ${VERSION}\n`);
    });
}
