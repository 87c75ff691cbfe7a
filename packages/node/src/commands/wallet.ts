import type { Command } from 'commander';

export function registerWalletCommands(_program: Command): void {}
