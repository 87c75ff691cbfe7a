import type { TensorSchema } from '@ailo/fedavg';
import { accept, type CheckResult, reject } from './checkResult';
import { PAYLOAD_HEADER_BASE_BYTES, PAYLOAD_HEADER_PER_TENSOR_BYTES } from './constants';

/** Largest safetensors header (JSON) an update file for `schema` may have. bytes */
export function maxUpdateHeaderBytes(schema: TensorSchema): number {
  return PAYLOAD_HEADER_BASE_BYTES + PAYLOAD_HEADER_PER_TENSOR_BYTES * schema.size;
}

/**
 * Largest update file for `schema`: the 8-byte header length, the header allowance and every
 * tensor in float32 (f16/bf16 files are smaller). bytes
 */
export function maxUpdateBytes(schema: TensorSchema): number {
  let elements = 0;
  for (const shape of schema.values()) elements += shape.reduce((p, d) => p * d, 1);
  return 8 + maxUpdateHeaderBytes(schema) + 4 * elements;
}

/** What {@link checkPayloadSize} compared. bytes */
export interface PayloadValue {
  bytes: number;
  maxBytes: number;
}

/**
 * Oversized payloads are refused before anything is parsed or allocated: an update file can
 * never be larger than {@link maxUpdateBytes} of the model. Pure.
 * @returns `payload_too_large`
 */
export function checkPayloadSize(byteLength: number, schema: TensorSchema): CheckResult<PayloadValue> {
  const value = { bytes: byteLength, maxBytes: maxUpdateBytes(schema) };
  if (!(byteLength <= value.maxBytes)) {
    return reject(
      'payload_too_large',
      `The update is ${byteLength} bytes; this model's updates are at most ${value.maxBytes}.`,
      value,
    );
  }
  return accept(value);
}
