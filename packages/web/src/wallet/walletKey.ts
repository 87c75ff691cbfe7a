import { generateKeyPair, type KeyPair, keyPairFromSecretKey } from '@ailo/ledger';
import { WALLET_KEY_STORAGE } from '../constants';
import { bytesToHex, hexToBytes } from './hex';

/**
 * The wallet key of this browser, kept in localStorage (created on first use).
 * Its address receives the rewards of the browser worker. Anyone with access to
 * this origin's storage can spend it: this is a hot wallet for small amounts.
 */
export function loadWalletKey(storage: Storage = localStorage): KeyPair {
  const hex = storage.getItem(WALLET_KEY_STORAGE);
  if (hex) {
    try {
      return keyPairFromSecretKey(hexToBytes(hex));
    } catch {
      // unreadable key: replaced below
    }
  }
  const key = generateKeyPair();
  storage.setItem(WALLET_KEY_STORAGE, bytesToHex(key.secretKey));
  return key;
}

/** The stored secret key, hex (for handing to the browser worker). */
export function walletSecretHex(storage: Storage = localStorage): string {
  return bytesToHex(loadWalletKey(storage).secretKey);
}
