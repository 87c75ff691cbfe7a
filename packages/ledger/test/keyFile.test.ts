import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../src/index';
import { parseKeyFile, readKeyFile, writeKeyFile } from '../src/node';

const dir = mkdtempSync(join(tmpdir(), 'ailo-keyfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('wallet key files', () => {
  it('writes a plain key file with mode 0600 and reads the same key back', async () => {
    const key = generateKeyPair();
    const path = join(dir, 'plain.json');
    await writeKeyFile(path, key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const back = await readKeyFile(path);
    expect(back.address).toBe(key.address);
    expect(back.secretKey).toEqual(key.secretKey);
    expect(await codeOf(writeKeyFile(path, key))).toBe('KEY_FILE_EXISTS');
  });

  it('encrypts with a passphrase (scrypt + AES-256-GCM) and needs it to open', async () => {
    const key = generateKeyPair();
    const path = join(dir, 'sealed.json');
    await writeKeyFile(path, key, { passphrase: 'correct horse' });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(Buffer.from(key.secretKey).toString('hex'));
    expect(JSON.parse(text).encrypted).toMatchObject({ kdf: 'scrypt', cipher: 'aes-256-gcm' });
    expect((await readKeyFile(path, { passphrase: 'correct horse' })).address).toBe(key.address);
    expect(await codeOf(readKeyFile(path))).toBe('KEY_FILE_PASSPHRASE_REQUIRED');
    expect(await codeOf(readKeyFile(path, { passphrase: 'wrong' }))).toBe('KEY_FILE_DECRYPT_FAILED');
    // moving the ciphertext under another address fails authentication (the address is AAD)
    const other = generateKeyPair();
    const moved = {
      ...JSON.parse(text),
      address: other.address,
      publicKey: Buffer.from(other.publicKey).toString('hex'),
    };
    writeFileSync(join(dir, 'moved.json'), JSON.stringify(moved));
    expect(await codeOf(readKeyFile(join(dir, 'moved.json'), { passphrase: 'correct horse' }))).toBe(
      'KEY_FILE_DECRYPT_FAILED',
    );
  });

  it('refuses malformed files', async () => {
    const key = generateKeyPair();
    const good = JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8'));
    const cases: unknown[] = [
      'not json',
      { ...good, version: 2 },
      { ...good, secretKey: 'zz' },
      { ...good, address: key.address }, // address of another key
      { ...good, secretKey: Buffer.from(key.secretKey).toString('hex') }, // secret of another key
      null,
    ];
    for (const c of cases) {
      const text = typeof c === 'string' ? c : JSON.stringify(c);
      const path = join(dir, 'bad.json');
      writeFileSync(path, text);
      expect(await codeOf(readKeyFile(path)), text).toBe('KEY_FILE_MALFORMED');
    }
    expect(() => parseKeyFile('{}')).toThrowError(expect.objectContaining({ code: 'KEY_FILE_MALFORMED' }));
  });
});
