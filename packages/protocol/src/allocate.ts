/**
 * Allocation of buffers the codec fills completely. Node's `Buffer.allocUnsafe` skips the zero fill
 * that `new Uint8Array` pays (a second pass over every byte of a tensor frame); browsers get a plain
 * `Uint8Array`. Callers MUST write every byte of what they allocate: unsafe memory holds stale data.
 */
type BufferLike = { allocUnsafe(n: number): Uint8Array; allocUnsafeSlow(n: number): Uint8Array };

const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** A plain Uint8Array over the same memory (callers get `Uint8Array`, never a `Buffer`). */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** `n` bytes at any offset of a possibly shared slab (`.buffer` may be larger than the frame). */
export function allocateFrame(n: number): Uint8Array {
  // V8 keeps typed arrays of ≤ 64 bytes on its heap: cheaper than any pool for small frames
  return NodeBuffer === undefined || n <= 64 ? new Uint8Array(n) : plain(NodeBuffer.allocUnsafe(n));
}

/**
 * `n` bytes at an offset that is a multiple of 8 (aligned for any element size). Small sizes come
 * from Node's buffer pool, whose slices start on 8-byte boundaries; the check keeps that an
 * optimisation rather than an assumption.
 */
export function allocateAligned(n: number): Uint8Array {
  if (NodeBuffer === undefined) return new Uint8Array(n);
  if (n < 4096) {
    const pooled = NodeBuffer.allocUnsafe(n);
    if (pooled.byteOffset % 8 === 0) return plain(pooled);
  }
  return plain(NodeBuffer.allocUnsafeSlow(n));
}
