import type { Command } from 'commander';

export function registerModelRunCommands(_program: Command, _model: Command): void {}
