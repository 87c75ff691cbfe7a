import { type Peer, ProtocolError, type Tensor } from '@ailo/protocol';
import type { ChainError } from '../wire/messages';

/** What a worker reported about a chained step. */
export type ChainOutcome = { output: Tensor } | { error: ChainError; from: Peer };

type Waiter = (outcome: ChainOutcome) => void;

/**
 * Where `chain.result` and `chain.error` notifications from workers land: one
 * inbox per coordinator (shared by every pipeline), keyed by session and step.
 * A report nobody waits for any more (a step that already timed out) is dropped.
 */
export class ChainInbox {
  private readonly waiters = new Map<string, Waiter>();
  /** per worker connection: callbacks of the steps waiting on it, run when it closes */
  private readonly onClose = new Map<Peer, Set<(reason: ProtocolError) => void>>();

  /** Starts listening on a worker connection (idempotent). */
  listen(peer: Peer): void {
    if (this.onClose.has(peer) || !peer.isOpen) return;
    const callbacks = new Set<(reason: ProtocolError) => void>();
    this.onClose.set(peer, callbacks);
    peer.handle('chain.result', (b) => this.deliver(b.session, b.step, { output: b.output }));
    peer.handle('chain.error', (b) => this.deliver(b.session, b.step, { error: b, from: peer }));
    peer.closed.then((reason) => {
      this.onClose.delete(peer);
      for (const f of [...callbacks]) f(reason);
    });
  }

  /**
   * Resolves with the step's outcome; rejects with `timeout` after `timeoutMs`,
   * or `closed` when one of `watch` disconnects first.
   */
  wait(session: string, step: number, timeoutMs: number, watch: readonly Peer[]): Promise<ChainOutcome> {
    const key = `${step} ${session}`;
    return new Promise<ChainOutcome>((resolve, reject) => {
      let done = false;
      const closers: [Set<(reason: ProtocolError) => void>, (reason: ProtocolError) => void][] = [];
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (this.waiters.get(key) === waiter) this.waiters.delete(key);
        for (const [set, cb] of closers) set.delete(cb);
        f();
      };
      const waiter: Waiter = (o) => finish(() => resolve(o));
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new ProtocolError('timeout', `chained step ${step} got no result in ${timeoutMs} ms`)),
          ),
        timeoutMs,
      );
      this.waiters.set(key, waiter);
      for (const p of watch) {
        const lost = (reason: ProtocolError) =>
          finish(() =>
            resolve({
              error: { session, step, at: 'self', code: 'closed', message: reason.shortMessage },
              from: p,
            }),
          );
        if (!p.isOpen) return lost(new ProtocolError('closed', 'worker disconnected'));
        const set = this.onClose.get(p);
        if (!set) continue; // not listened on: its failure shows as a timeout
        set.add(lost);
        closers.push([set, lost]);
      }
    });
  }

  private deliver(session: string, step: number, outcome: ChainOutcome): void {
    this.waiters.get(`${step} ${session}`)?.(outcome);
  }
}
