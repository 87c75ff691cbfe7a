/**
 * Where a resumable download puts its bytes: memory (`MemorySink`) or a
 * `.part` file (Node). `size` is where the next request resumes.
 */
export interface ByteSink {
  /** bytes held so far */
  readonly size: number;
  /** appends `part` */
  write(part: Uint8Array): void | Promise<void>;
  /** drops every byte held (the server restarted the body from byte 0) */
  reset(): void | Promise<void>;
  /** the body's total length became known. bytes */
  reserve?(total: number): void;
}
