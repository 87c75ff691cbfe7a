import { type KeyPair, keyPairFromSecretKey, sha256 } from '@ailo/ledger';
import type { BrownGenre } from '@ailo/pipeline';

/** How a participant builds its update. */
export type Behaviour =
  /** trains on its own shard and submits Δ = M_t − M_k */
  | 'honest'
  /** trains honestly, then multiplies Δ by 1000 to drag the average its way */
  | 'scaled'
  /** submits another client's Δ under its own key to be paid for work it did not do */
  | 'copy';

/** One client of the round. */
export interface Participant {
  name: string;
  behaviour: Behaviour;
  /** the Brown genre of its private shard (`copy` trains on nothing) */
  genre: BrownGenre | null;
  /** wallet key: signs the contribution proof and receives the MINT */
  key: KeyPair;
  /** the remote address the coordinator sees (rate limits and caps are per IP) */
  ip: string;
}

/** A key derived from a name, so every run shows the same addresses. Never do this for real wallets. */
export function demoKey(name: string): KeyPair {
  return keyPairFromSecretKey(sha256(new TextEncoder().encode(`ailo example key: ${name}`)));
}

/** Four honest clients on different genres (non-IID), one scaling attacker, one copier. */
export function participants(): Participant[] {
  const p = (name: string, behaviour: Behaviour, genre: BrownGenre | null, ip: string): Participant => ({
    name,
    behaviour,
    genre,
    key: demoKey(name),
    ip,
  });
  return [
    p('alice', 'honest', 'news', '10.0.0.1'),
    p('bob', 'honest', 'romance', '10.0.0.2'),
    p('carol', 'honest', 'learned', '10.0.0.3'),
    p('dave', 'honest', 'humor', '10.0.0.4'),
    p('mallory', 'scaled', 'mystery', '203.0.113.66'),
    p('copycat', 'copy', null, '203.0.113.99'),
  ];
}
