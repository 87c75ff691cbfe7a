import {
  DEFAULT_MAX_COLLECTION_LENGTH,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_STRING_BYTES,
  DEFAULT_MAX_TENSOR_ELEMENTS,
} from './constants';
import { ProtocolError } from './ProtocolError';

/**
 * Decoder limits (spec §5). Each is checked against the declared size in a header before anything
 * of that size is allocated; exceeding one raises `too_large`.
 */
export interface Limits {
  /** Whole frame, bytes. Checked before any parsing. */
  maxFrameBytes: number;
  /** Elements of one tensor (product of its dims). */
  maxTensorElements: number;
  /** Entries of one array or map. */
  maxCollectionLength: number;
  /** Nesting of arrays and maps; the envelope map is depth 1. */
  maxDepth: number;
  /** UTF-8 bytes of one string (map keys included). */
  maxStringBytes: number;
}

/** The defaults of spec §5. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxTensorElements: DEFAULT_MAX_TENSOR_ELEMENTS,
  maxCollectionLength: DEFAULT_MAX_COLLECTION_LENGTH,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxStringBytes: DEFAULT_MAX_STRING_BYTES,
});

/** Fills missing limits with defaults and rejects nonsense values (`bad_request`). */
export function resolveLimits(partial: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new ProtocolError('bad_request', `limit ${key} must be a positive integer`, {
        details: `got ${String(value)}`,
      });
    }
    limits[key] = value;
  }
  return limits;
}
