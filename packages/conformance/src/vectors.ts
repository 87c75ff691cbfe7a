import envelope from '../../../spec/vectors/protocol/envelope.json' with { type: 'json' };
import limits from '../../../spec/vectors/protocol/limits.json' with { type: 'json' };
import messages from '../../../spec/vectors/protocol/messages.json' with { type: 'json' };
import tensors from '../../../spec/vectors/protocol/tensors.json' with { type: 'json' };

/** One golden encoding of spec/vectors/protocol (protocol.md §10). */
export interface ProtocolVector {
  name: string;
  description: string;
  valid: boolean;
  /** one complete WebSocket message */
  hex: string;
  /** decoded envelope (vector JSON conventions, §10), valid vectors only */
  value?: unknown;
  /** error code, invalid vectors only */
  error?: string;
  /** limits replacing the defaults of §5 for this vector */
  limits?: Record<string, number>;
}

/** The spec clause each vector file exercises. */
export const VECTOR_FILES = {
  envelope: { clause: 'protocol.md §3', vectors: envelope as ProtocolVector[] },
  limits: { clause: 'protocol.md §5', vectors: limits as ProtocolVector[] },
  messages: { clause: 'protocol.md §9', vectors: messages as ProtocolVector[] },
  tensors: { clause: 'protocol.md §4', vectors: tensors as ProtocolVector[] },
} as const;

/** Bytes of a lowercase hex string. */
export function unhex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A case id part: lowercase, dashes. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
