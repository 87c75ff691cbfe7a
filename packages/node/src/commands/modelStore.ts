import type { Command } from 'commander';

export function registerModelStoreCommands(_model: Command): void {}
