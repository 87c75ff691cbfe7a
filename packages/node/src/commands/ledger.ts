import type { Command } from 'commander';

export function registerLedgerCommands(_program: Command): void {}
