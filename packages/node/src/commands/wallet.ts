import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { generateKeyPair, LedgerError } from '@ailo/ledger';
import { openKeyFile, parseKeyFile, writeKeyFile } from '@ailo/ledger/node';
import type { Command } from 'commander';

/** Environment variable read for key-file passphrases before prompting. */
export const PASSPHRASE_ENV = 'AILO_PASSPHRASE';

/**
 * Passphrase from `$AILO_PASSPHRASE`, else from the terminal (not echoed), else the first line
 * of stdin.
 * @throws {LedgerError} `KEY_FILE_PASSPHRASE_REQUIRED` when it is empty
 */
export async function readPassphrase(prompt: string): Promise<string> {
  let value = process.env[PASSPHRASE_ENV];
  if (value === undefined) {
    const rl = createInterface({
      input: process.stdin,
      output: process.stderr,
      terminal: Boolean(process.stdin.isTTY),
    });
    if (process.stdin.isTTY) {
      process.stderr.write(prompt);
      // mute the echo of typed characters
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    }
    value = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    rl.close();
    if (process.stdin.isTTY) process.stderr.write('\n');
  }
  if (!value) throw new LedgerError('KEY_FILE_PASSPHRASE_REQUIRED', 'An empty passphrase is not allowed.');
  return value;
}

interface NewOptions {
  out: string;
  passphrase?: boolean;
  force?: boolean;
  json?: boolean;
}

interface ShowOptions {
  key: string;
  json?: boolean;
}

/** `ailo wallet new|show`: create and inspect Ed25519 wallet key files (@ailo/ledger). */
export function registerWalletCommands(program: Command): void {
  const wallet = program.command('wallet').description('create and inspect wallet key files');

  wallet
    .command('new')
    .description('create a key pair and write it to a key file (mode 0600)')
    .option('--out <path>', 'key file to write', 'key.json')
    .option(
      '--passphrase',
      `encrypt the key with scrypt + AES-256-GCM (passphrase from $${PASSPHRASE_ENV} or a prompt)`,
    )
    .option('--force', 'replace an existing key file')
    .option('--json', 'print JSON')
    .action(async (opts: NewOptions) => {
      const passphrase = opts.passphrase ? await readPassphrase('New passphrase: ') : undefined;
      const key = generateKeyPair();
      const file = await writeKeyFile(opts.out, key, {
        ...(passphrase !== undefined ? { passphrase } : {}),
        ...(opts.force ? { overwrite: true } : {}),
      });
      const info = {
        address: file.address,
        publicKey: file.publicKey,
        file: opts.out,
        encrypted: passphrase !== undefined,
      };
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(info)}\n`
          : `address:    ${info.address}\npublic key: ${info.publicKey}\nkey file:   ${info.file}${info.encrypted ? ' (encrypted)' : ''}\n`,
      );
    });

  wallet
    .command('show')
    .description('print the address and public key of a key file')
    .option('--key <path>', 'key file', 'key.json')
    .option('--json', 'print JSON')
    .action(async (opts: ShowOptions) => {
      await stat(opts.key).catch((cause: unknown) => {
        throw new LedgerError('KEY_FILE_MALFORMED', `No key file at ${opts.key}.`, { cause });
      });
      const file = parseKeyFile(await readFile(opts.key, 'utf8'));
      const encrypted = file.encrypted !== undefined;
      // a plain file is always checked; an encrypted one when the passphrase is in the environment
      let checked = false;
      if (!encrypted || process.env[PASSPHRASE_ENV] !== undefined) {
        openKeyFile(file, encrypted ? process.env[PASSPHRASE_ENV] : undefined);
        checked = true;
      }
      const info = { address: file.address, publicKey: file.publicKey, encrypted, checked };
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(info)}\n`
          : `address:    ${info.address}\npublic key: ${info.publicKey}\nencrypted:  ${encrypted ? 'yes' : 'no'}\n`,
      );
    });
}
