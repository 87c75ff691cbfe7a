import type { Command } from 'commander';

export function registerPocCommands(_program: Command): void {}
