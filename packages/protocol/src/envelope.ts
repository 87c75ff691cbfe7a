import { MAX_MESSAGE_ID, MAX_TYPE_BYTES, PROTOCOL_VERSION } from './constants';
import { type DecodeOptions, decodeValue } from './decodeValue';
import { encodeValue } from './encodeValue';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { ProtocolError } from './ProtocolError';
import { utf8Length } from './utf8';

/** Body of a message: a MessagePack map (spec §3). */
export type Body = Record<string, unknown>;

/**
 * One frame (spec §3): `v` protocol version, `t` message type, `id` sender-chosen u32, `re` the id of
 * the message this one answers (replies only), `body` a map.
 */
export interface Envelope<B extends Body = Body> {
  v: typeof PROTOCOL_VERSION;
  t: string;
  id: number;
  re?: number;
  body: B;
}

const ENVELOPE_KEYS = new Set(['v', 't', 'id', 're', 'body']);

function badFrame(message: string, details?: string): ProtocolError {
  return new ProtocolError('bad_frame', message, details === undefined ? {} : { details });
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_MESSAGE_ID;
}

function isMap(v: unknown): v is Body {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  // a decoded tensor is a plain object too; its `data` is a typed array
  return !(Object.keys(v).length === 3 && ArrayBuffer.isView((v as Body).data) && 'dtype' in v);
}

/**
 * Checks the envelope fields of a decoded value (spec §3.3).
 *
 * @throws ProtocolError `version_mismatch` for an integer `v` other than 1, `bad_frame` otherwise.
 */
export function checkEnvelope(value: unknown): Envelope {
  if (!isMap(value)) throw badFrame('frame is not a map');
  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.has(key)) throw badFrame('unknown envelope field', JSON.stringify(key));
  }
  const { v, t, id, re, body } = value;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badFrame('envelope v is not an integer');
  if (v !== PROTOCOL_VERSION) {
    throw new ProtocolError('version_mismatch', `unsupported protocol version ${v}`, {
      details: `this side speaks v${PROTOCOL_VERSION}`,
    });
  }
  if (typeof t !== 'string' || t.length === 0) throw badFrame('envelope t is not a non-empty string');
  if (utf8Length(t) > MAX_TYPE_BYTES) throw badFrame('envelope t is too long', `> ${MAX_TYPE_BYTES} bytes`);
  if (!isU32(id)) throw badFrame('envelope id is not a u32');
  if (re !== undefined && !isU32(re)) throw badFrame('envelope re is not a u32');
  if (!isMap(body)) throw badFrame('envelope body is not a map');
  const envelope: Envelope = { v: PROTOCOL_VERSION, t, id, body };
  if (re !== undefined) envelope.re = re;
  return envelope;
}

/**
 * Decodes one frame into an envelope. The frame size is checked before anything else.
 *
 * @throws ProtocolError `too_large`, `bad_frame` or `version_mismatch` (spec §3, §5).
 */
export function decodeEnvelope(
  frame: Uint8Array,
  limits: Limits = DEFAULT_LIMITS,
  options: DecodeOptions = {},
): Envelope {
  return checkEnvelope(decodeValue(frame, limits, options));
}

/**
 * Encodes an envelope canonically (spec §3.2).
 *
 * @throws ProtocolError `bad_frame` for a malformed envelope, `too_large`/`bad_request` from the encoder.
 */
export function encodeEnvelope(envelope: Envelope, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  const { t, id, re, body } = envelope;
  if (typeof t !== 'string' || t.length === 0 || utf8Length(t) > MAX_TYPE_BYTES) {
    throw badFrame('envelope t must be a non-empty string of at most 64 bytes');
  }
  if (!isU32(id) || (re !== undefined && !isU32(re))) throw badFrame('envelope id/re must be u32');
  if (!isMap(body)) throw badFrame('envelope body must be a map');
  const value: Body = { v: PROTOCOL_VERSION, t, id, body };
  if (re !== undefined) value.re = re;
  return encodeValue(value, limits);
}
