import { describe, expect, it } from 'vitest';
import { createChallenge } from '../src/handshake/createChallenge';
import { ed25519 } from '../src/handshake/ed25519';
import { helloMessage } from '../src/handshake/helloMessage';
import { createIdentity } from '../src/handshake/identity';
import { SeenNonces } from '../src/handshake/SeenNonces';
import { signHello } from '../src/handshake/signHello';
import { verifyHello } from '../src/handshake/verifyHello';
import { codeOf, hex, unhex } from './codeOf';

const L = 2n ** 252n + 27742317777372353535851937790883648493n; // Ed25519 group order (RFC 8032)

describe('handshake (spec §6)', () => {
  const client = createIdentity(new Uint8Array(32).fill(7));
  const challenge = createChallenge('coordinator-1');

  it('signs domain ‖ nonce ‖ serverId', () => {
    const nonce = new Uint8Array(32).fill(0xab);
    expect(hex(helloMessage(nonce, 'sé'))).toBe(
      `${hex(new TextEncoder().encode('ailo-hello-v1'))}${'ab'.repeat(32)}73c3a9`,
    );
  });

  it('issues 32-byte random nonces', () => {
    const a = createChallenge('s');
    const b = createChallenge('s');
    expect(a.nonce.length).toBe(32);
    expect(hex(a.nonce)).not.toBe(hex(b.nonce));
  });

  it('accepts a good hello and names the peer by its public key', () => {
    const hello = signHello(client, challenge, { roles: ['worker'] });
    const verified = verifyHello(hello, challenge, new SeenNonces());
    expect(verified.peerId).toBe(hex(client.publicKey));
    expect(verified.roles).toEqual(['worker']);
  });

  it('rejects a flipped signature bit (bad_signature)', () => {
    const hello = signHello(client, challenge);
    hello.sig = hello.sig.slice();
    hello.sig[5]! ^= 1;
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('bad_signature');
  });

  it('rejects a signature by another key (bad_signature)', () => {
    const hello = signHello(client, challenge);
    hello.pubkey = createIdentity().publicKey;
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('bad_signature');
  });

  it('rejects a signature under another domain tag (bad_signature)', () => {
    const hello = signHello(client, challenge);
    const wrong = helloMessage(
      challenge.nonce,
      challenge.serverId,
      new TextEncoder().encode('ailo-hello-v2'),
    );
    hello.sig = ed25519().sign(wrong, client.secretKey);
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('bad_signature');
  });

  it('rejects a hello signed for another server (bad_signature)', () => {
    const hello = signHello(client, { ...challenge, serverId: 'evil' });
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('bad_signature');
  });

  it('rejects a hello replayed from an earlier challenge (bad_signature)', () => {
    const old = createChallenge('coordinator-1');
    const hello = signHello(client, old);
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('bad_signature');
  });

  it('rejects a reused nonce (unauthorized)', () => {
    const seen = new SeenNonces();
    const hello = signHello(client, challenge);
    expect(codeOf(() => verifyHello(hello, challenge, seen))).toBe('no error');
    expect(codeOf(() => verifyHello(hello, challenge, seen))).toBe('unauthorized');
  });

  it('forgets the oldest nonces past its capacity', () => {
    const seen = new SeenNonces(2);
    const [a, b, c] = [1, 2, 3].map((n) => new Uint8Array(32).fill(n)) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    expect([seen.consume(a), seen.consume(b), seen.consume(c)]).toEqual([true, true, true]);
    expect([seen.consume(c), seen.consume(a)]).toEqual([false, true]);
  });

  it('rejects another protocol version (version_mismatch)', () => {
    const hello = signHello(client, challenge, { version: 2 });
    expect(codeOf(() => verifyHello(hello, challenge))).toBe('version_mismatch');
  });

  it('uses RFC 8032 strict rules: small-order keys and non-canonical S fail', () => {
    const identityPoint = unhex(`01${'00'.repeat(31)}`);
    const hello = signHello(client, challenge);
    // R = identity, S = 0 verifies for the identity key under cofactored ZIP-215 rules, not RFC 8032 strict.
    const forged = { ...hello, pubkey: identityPoint, sig: unhex(`01${'00'.repeat(63)}`) };
    expect(
      ed25519().verify(forged.sig, helloMessage(challenge.nonce, challenge.serverId), identityPoint),
    ).toBe(true);
    expect(codeOf(() => verifyHello(forged, challenge))).toBe('bad_signature');
    // S + L: same point equation, non-canonical scalar
    const s = BigInt(`0x${hex(hello.sig.slice(32).reverse())}`) + L;
    const sBytes = unhex(s.toString(16).padStart(64, '0')).reverse();
    const malleated = { ...hello, sig: new Uint8Array([...hello.sig.slice(0, 32), ...sBytes]) };
    expect(codeOf(() => verifyHello(malleated, challenge))).toBe('bad_signature');
  });

  it('agrees with RFC 8032 test vector 1', () => {
    const secret = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const id = createIdentity(secret);
    expect(hex(id.publicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = ed25519().sign(new Uint8Array(0), secret);
    expect(hex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  it('refuses secret keys of the wrong size', () => {
    expect(codeOf(() => createIdentity(new Uint8Array(31)))).toBe('bad_request');
  });
});
