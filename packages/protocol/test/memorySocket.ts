import type { FrameSocket } from '../src/peer/FrameSocket';

type Listener = (event: any) => void;

/** An in-memory WebSocket end; frames reach the other end on a later macrotask, like a network. */
export class MemorySocket implements FrameSocket {
  readyState = 1;
  bufferedAmount = 0;
  binaryType = 'blob';
  other: MemorySocket | undefined;
  /** frames this end sent, for inspection */
  sent: Uint8Array[] = [];
  /** when set, frames vanish (a peer that disappeared without closing) */
  blackhole = false;
  closeCode: number | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  addEventListener(type: string, listener: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  emit(type: string, event: unknown): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('socket not open');
    const copy = data.slice();
    this.sent.push(copy);
    if (this.blackhole) return;
    const other = this.other;
    setImmediate(() => {
      if (other !== undefined && other.readyState === 1 && !other.blackhole)
        other.emit('message', { data: copy });
    });
  }

  /** Delivers raw data to this end as if the remote had sent it. */
  receive(data: unknown): void {
    this.emit('message', { data });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.closeCode = code;
    this.readyState = 3;
    const other = this.other;
    setImmediate(() => {
      this.emit('close', { code, reason });
      if (other !== undefined && other.readyState < 2 && !this.blackhole) {
        other.readyState = 3;
        other.closeCode = code;
        other.emit('close', { code, reason });
      }
    });
  }
}

/** Two connected in-memory sockets. */
export function socketPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.other = b;
  b.other = a;
  return [a, b];
}
