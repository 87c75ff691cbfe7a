import { NodeError } from '../errors';

/** Admission control shared by every pipeline of a coordinator: at most `max` generation sessions at once. */
export class SessionGate {
  private n = 0;
  constructor(readonly max: number) {}

  /** Sessions admitted now. */
  get active(): number {
    return this.n;
  }

  /**
   * Admits one session.
   * @throws NodeError `overloaded` (retryable) when full.
   */
  acquire(): void {
    if (this.n >= this.max) {
      throw new NodeError(
        'overloaded',
        `The coordinator is serving ${this.n} sessions (max ${this.max}); retry later`,
      );
    }
    this.n++;
  }

  release(): void {
    if (this.n > 0) this.n--;
  }
}
