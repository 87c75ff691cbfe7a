import { type Address, encodeAddress } from '@ailo/ledger';
import type { Peer } from '@ailo/protocol';
import { DEFAULT_HOP_LATENCY_MS, LATENCY_EWMA_ALPHA } from '../constants';
import type { NodeJoin } from '../wire/messages';
import type { HeldSpan } from '../worker/core/HeldSpan';

/** Where a worker stands. */
export type WorkerState = 'joining' | 'loading' | 'ready' | 'failed';

/** What the coordinator knows about one connected worker. */
export interface WorkerEntry {
  /** lowercase hex Ed25519 public key */
  id: string;
  peer: Peer;
  roles: readonly string[];
  backends: readonly string[];
  /** declared budget. bytes */
  memoryBytes: number;
  /** what it asked for */
  want: NodeJoin | undefined;
  state: WorkerState;
  /** the span it serves (state `ready`) or is loading (state `loading`) */
  span: HeldSpan | undefined;
  /** why it failed (state `failed`) */
  error: string | undefined;
  /** moving average of one hop's round trip, as seen by the coordinator. ms */
  latencyMs: number;
  /** generation sessions routed through it now */
  sessions: number;
  /** forward steps served */
  steps: number;
  /** unix ms */
  joinedAt: number;
}

/** A worker's ledger address: its handshake key (every registered worker completed the handshake). */
export function workerAddress(w: WorkerEntry): Address {
  return encodeAddress(w.peer.hello!.publicKey);
}

/** The connected workers, by id. One connection per id: a reconnect replaces the old entry. */
export class WorkerRegistry {
  private readonly byId = new Map<string, WorkerEntry>();
  private readonly listeners = new Set<(w: WorkerEntry, event: 'added' | 'removed' | 'changed') => void>();

  /** Registers a fresh connection; an older connection of the same id is closed. */
  add(init: Pick<WorkerEntry, 'id' | 'peer' | 'roles' | 'backends' | 'memoryBytes'>): WorkerEntry {
    const old = this.byId.get(init.id);
    if (old && old.peer !== init.peer) void old.peer.close('conflict', 'replaced by a newer connection');
    const entry: WorkerEntry = {
      ...init,
      want: undefined,
      state: 'joining',
      span: undefined,
      error: undefined,
      latencyMs: DEFAULT_HOP_LATENCY_MS,
      sessions: 0,
      steps: 0,
      joinedAt: Date.now(),
    };
    this.byId.set(init.id, entry);
    this.emit(entry, 'added');
    return entry;
  }

  /** Drops a connection (only if it is still the current one of its id). */
  remove(entry: WorkerEntry): void {
    if (this.byId.get(entry.id) !== entry) return;
    this.byId.delete(entry.id);
    this.emit(entry, 'removed');
  }

  get(id: string): WorkerEntry | undefined {
    return this.byId.get(id);
  }

  /** Whether `entry` is still connected and current. */
  isLive(entry: WorkerEntry): boolean {
    return this.byId.get(entry.id) === entry && entry.peer.isOpen;
  }

  list(): WorkerEntry[] {
    return [...this.byId.values()];
  }

  /** Workers serving a span of `model` at `version`. */
  ready(model: string, version: string): WorkerEntry[] {
    return this.list().filter(
      (w) => w.state === 'ready' && w.span?.model === model && w.span.version === version && w.peer.isOpen,
    );
  }

  /** Marks a state change and tells listeners. */
  update(entry: WorkerEntry, patch: Partial<Pick<WorkerEntry, 'state' | 'span' | 'error' | 'want'>>): void {
    Object.assign(entry, patch);
    this.emit(entry, 'changed');
  }

  /** Folds one measured hop round trip into the worker's moving average. */
  recordLatency(entry: WorkerEntry, ms: number): void {
    entry.latencyMs += LATENCY_EWMA_ALPHA * (ms - entry.latencyMs);
    entry.steps++;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  on(listener: (w: WorkerEntry, event: 'added' | 'removed' | 'changed') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(w: WorkerEntry, event: 'added' | 'removed' | 'changed'): void {
    for (const l of this.listeners) l(w, event);
  }
}
