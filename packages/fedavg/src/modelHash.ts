import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { checkTensors } from './checkTensors';
import { MODEL_HASH_DOMAIN, MODEL_HASH_DTYPE } from './constants';
import type { TensorSchema, Tensors } from './types';

const utf8 = new TextEncoder();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Byte-wise comparison of UTF-8 encodings (the canonical name order, spec/fl.md §1). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, n % 0x1_0000_0000, true);
  dv.setUint32(4, Math.floor(n / 0x1_0000_0000), true);
  return out;
}

/** Little-endian bytes of `x` (a view on little-endian hosts, a copy elsewhere). */
function leBytes(x: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const out = new Uint8Array(x.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) dv.setFloat32(4 * i, x[i]!, true);
  return out;
}

/** An incremental SHA-256 (e.g. `@noble/hashes`' `sha256.create()` or `node:crypto`'s `createHash('sha256')`). */
export interface Sha256Hasher {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}

/** Creates a fresh {@link Sha256Hasher}. */
export type Sha256Factory = () => Sha256Hasher;

/** The default, portable hasher (`@noble/hashes`). */
export const nobleSha256: Sha256Factory = () => sha256.create();

/**
 * SHA-256 of a tensor set in its canonical encoding (spec/fl.md §1), as 64
 * lowercase hex digits. Used for the `base` of update files and rounds, and
 * for the content hash of an update's delta.
 *
 * Encoding: the ASCII domain tag `ailo/tensors/v1`, u32le tensor count, then
 * per tensor in ascending byte order of UTF-8 names: u32le name length, name,
 * u8 dtype length, dtype `F32`, u32le rank, u64le per dimension, and the
 * float32 values little-endian. Tensors are hashed as float32 whatever their
 * storage dtype; the hash does not depend on Map order.
 * @param createHash SHA-256 implementation; default `@noble/hashes` (portable). In Node,
 *   `() => createHash('sha256')` from `node:crypto` gives the same digest several times faster.
 * @throws FedAvgError `NAME_MISMATCH`, `DTYPE_MISMATCH`, `SHAPE_MISMATCH` when `tensors` does not fit `schema`
 */
export function modelHash(
  tensors: Tensors,
  schema: TensorSchema,
  createHash: Sha256Factory = nobleSha256,
): string {
  checkTensors(schema, tensors, undefined, 'Model');
  const entries = [...schema].map(([name, shape]) => ({ name, shape, key: utf8.encode(name) }));
  entries.sort((a, b) => compareBytes(a.key, b.key));
  const h = createHash();
  h.update(utf8.encode(MODEL_HASH_DOMAIN));
  h.update(u32(entries.length));
  const dtype = utf8.encode(MODEL_HASH_DTYPE);
  for (const { name, shape, key } of entries) {
    const x = tensors.get(name)!;
    h.update(u32(key.length));
    h.update(key);
    h.update(new Uint8Array([dtype.length]));
    h.update(dtype);
    h.update(u32(shape.length));
    for (const d of shape) h.update(u64(d));
    h.update(leBytes(x));
  }
  return bytesToHex(h.digest());
}
