import { HELLO_DOMAIN_TAG, NONCE_BYTES } from '../constants';
import { ProtocolError } from '../ProtocolError';

const DOMAIN = new TextEncoder().encode(HELLO_DOMAIN_TAG);

/**
 * The bytes a client signs in `hello` (spec §6): ASCII `ailo-hello-v1` ‖ nonce (32 bytes) ‖ UTF-8
 * serverId. The nonce has a fixed size, so the concatenation is unambiguous.
 */
export function helloMessage(nonce: Uint8Array, serverId: string, domain: Uint8Array = DOMAIN): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new ProtocolError('bad_request', 'nonce must be 32 bytes');
  const id = new TextEncoder().encode(serverId);
  const out = new Uint8Array(domain.length + NONCE_BYTES + id.length);
  out.set(domain, 0);
  out.set(nonce, domain.length);
  out.set(id, domain.length + NONCE_BYTES);
  return out;
}
