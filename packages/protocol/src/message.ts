import { decodeEnvelope, type Envelope, encodeEnvelope } from './envelope';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { defaultRegistry, type MessageRegistry } from './messages/MessageRegistry';

/** Options of {@link decodeMessage} and {@link encodeMessage}. */
export interface MessageCodecOptions {
  limits?: Limits;
  registry?: MessageRegistry;
  /** decode only: the frame is consumed and may be modified to align tensor data (see `DecodeOptions`) */
  inPlace?: boolean;
}

/**
 * Decodes a frame and checks its body against the catalogue: the full receive path of spec §3–§9.
 *
 * @throws ProtocolError `too_large`, `bad_frame`, `version_mismatch` (frame and envelope), then
 *   `unsupported` (unknown `t`) or `bad_request` (body does not match the schema).
 */
export function decodeMessage(frame: Uint8Array, options: MessageCodecOptions = {}): Envelope {
  const envelope = decodeEnvelope(frame, options.limits ?? DEFAULT_LIMITS, {
    inPlace: options.inPlace ?? false,
  });
  (options.registry ?? defaultRegistry).validate(envelope.t, envelope.body);
  return envelope;
}

/**
 * Checks the body against the catalogue and encodes the envelope canonically.
 *
 * @throws ProtocolError `unsupported`, `bad_request`, `bad_frame`, `too_large`.
 */
export function encodeMessage(envelope: Envelope, options: MessageCodecOptions = {}): Uint8Array {
  (options.registry ?? defaultRegistry).validate(envelope.t, envelope.body);
  return encodeEnvelope(envelope, options.limits ?? DEFAULT_LIMITS);
}
