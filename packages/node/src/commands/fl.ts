import type { Command } from 'commander';

export function registerFlCommands(_program: Command): void {}
