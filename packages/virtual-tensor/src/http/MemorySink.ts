import type { ByteSink } from './ByteSink';

/** A {@link ByteSink} in a growable buffer; preallocates once the total is known. */
export class MemorySink implements ByteSink {
  #buf: Uint8Array;
  #size = 0;

  constructor(expected = 0) {
    this.#buf = new Uint8Array(expected);
  }

  get size(): number {
    return this.#size;
  }

  reserve(total: number): void {
    if (this.#buf.length < total) this.#grow(total);
  }

  write(part: Uint8Array): void {
    if (this.#size + part.length > this.#buf.length) {
      this.#grow(Math.max(this.#size + part.length, this.#buf.length * 2, 1 << 16));
    }
    this.#buf.set(part, this.#size);
    this.#size += part.length;
  }

  reset(): void {
    this.#size = 0;
  }

  /** The bytes received (the buffer itself when it is exactly full, else a copy). */
  bytes(): Uint8Array {
    return this.#buf.length === this.#size ? this.#buf : this.#buf.slice(0, this.#size);
  }

  #grow(n: number): void {
    const grown = new Uint8Array(n);
    grown.set(this.#buf.subarray(0, this.#size));
    this.#buf = grown;
  }
}
