import {
  type Body,
  DEFAULT_LIMITS,
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  type FrameSocket,
  ProtocolError,
  SOCKET_OPEN,
  socketOpen,
} from '@ailo/protocol';
import { ConformanceError, violation } from '../errors';

/** How a connection ended: the WebSocket close code and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
}

type Incoming = { envelope: Envelope } | { invalid: string };

/** Answers a request the other side sends us (e.g. `ping`, `node.join`); returns the reply type and body. */
export type RequestResponder = (
  envelope: Envelope,
) => { t: string; body: Body } | Promise<{ t: string; body: Body }>;

/**
 * One raw WebSocket connection driven frame by frame, as a foreign client
 * sees it: frames are encoded and decoded with the reference codec, but
 * nothing is validated or answered behind the caller's back except the
 * requests it registers responders for (`ping` by default). Used to send
 * hostile frames that a regular `Peer` would refuse to write.
 */
export class WireConnection {
  /** what the target sent, in order, not yet consumed by {@link next} */
  private readonly inbox: Incoming[] = [];
  private readonly wakers = new Set<() => void>();
  private closeInfo: CloseInfo | undefined;
  private id = 0;
  /** the bytes each received envelope arrived as */
  private readonly raw = new WeakMap<Envelope, Uint8Array>();
  readonly responders = new Map<string, RequestResponder>();
  /** resolves when the socket closes */
  readonly closed: Promise<CloseInfo>;

  constructor(readonly socket: FrameSocket) {
    socket.binaryType = 'arraybuffer';
    this.responders.set('ping', (e) => ({ t: 'pong', body: { ts: e.body.ts } }));
    socket.addEventListener('message', (event: { data: unknown }) => this.onFrame(event.data));
    this.closed = new Promise((resolve) => {
      socket.addEventListener('close', (event: { code?: number; reason?: unknown }) => {
        this.closeInfo = { code: event.code ?? 1006, reason: String(event.reason ?? '') };
        resolve(this.closeInfo);
        this.wake();
      });
    });
  }

  /** true until the socket closes */
  get isOpen(): boolean {
    return this.closeInfo === undefined;
  }

  /** Resolves once the socket is open; a violation if it cannot connect. */
  async opened(): Promise<void> {
    if (this.socket.readyState === SOCKET_OPEN) return;
    await socketOpen(this.socket).catch((e) => {
      throw new ConformanceError('violation', `cannot connect: ${(e as Error).message}`, { cause: e });
    });
  }

  /** The next id of this side (counts up from 1, protocol.md §7.1). */
  nextId(): number {
    this.id += 1;
    return this.id;
  }

  /** Sends bytes as one binary message, exactly as given. */
  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes);
  }

  /** Sends a text message (which protocol.md §2.2 forbids). */
  sendText(text: string): void {
    (this.socket as unknown as { send(d: string): void }).send(text);
  }

  /** Encodes and sends an envelope; returns its id. */
  send(t: string, body: Body, opts: { id?: number; re?: number } = {}): number {
    const id = opts.id ?? this.nextId();
    const env: Envelope = { v: 1, t, id, body };
    if (opts.re !== undefined) env.re = opts.re;
    this.sendRaw(encodeEnvelope(env));
    return id;
  }

  /** Sends a request and waits for the message whose `re` is its id (a reply or `error`). */
  async request(t: string, body: Body, waitMs: number): Promise<Envelope> {
    const id = this.send(t, body);
    return this.next((e) => e.re === id, waitMs, `a reply to ${t} (id ${id})`);
  }

  /**
   * Resolves with the next message matching `match` (earlier non-matching
   * messages are kept for later calls).
   * @throws ConformanceError `violation` when the target closes first, sends an undecodable frame, or stays silent past `waitMs`.
   */
  next(match: (e: Envelope) => boolean, waitMs: number, what = 'a message'): Promise<Envelope> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = 0; i < this.inbox.length; i++) {
          const m = this.inbox[i]!;
          if ('invalid' in m) {
            this.inbox.splice(i, 1);
            done();
            return reject(
              violation(`the target sent an invalid frame while we waited for ${what}`, m.invalid),
            );
          }
          if (match(m.envelope)) {
            this.inbox.splice(i, 1);
            done();
            return resolve(m.envelope);
          }
        }
        if (this.closeInfo) {
          done();
          reject(
            violation(
              `the connection closed (${this.closeInfo.code} ${this.closeInfo.reason}) while we waited for ${what}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(violation(`no ${what} within ${waitMs} ms`));
      }, waitMs);
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(check);
      };
      this.wakers.add(check);
      check();
    });
  }

  /** The exact bytes a received envelope arrived as. */
  rawOf(envelope: Envelope): Uint8Array | undefined {
    return this.raw.get(envelope);
  }

  /** Messages received and not consumed, without waiting. */
  pending(): Envelope[] {
    return this.inbox.flatMap((m) => ('envelope' in m ? [m.envelope] : []));
  }

  /**
   * Resolves with the close once it happens.
   * @throws ConformanceError `violation` if the connection is still open after `waitMs`.
   */
  async waitClose(waitMs: number, what = 'the target to close the connection'): Promise<CloseInfo> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(violation(`no close within ${waitMs} ms: expected ${what}`)), waitMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes our side (1000) and waits briefly for the close to complete. */
  async close(): Promise<void> {
    if (!this.isOpen) return;
    try {
      this.socket.close(1000, 'done');
    } catch {
      return;
    }
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 500))]);
  }

  private onFrame(data: unknown): void {
    if (typeof data === 'string') {
      this.inbox.push({ invalid: 'a text message (protocol.md §2.2)' });
      this.wake();
      return;
    }
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : undefined;
    if (!bytes) return;
    let env: Envelope;
    try {
      env = decodeEnvelope(bytes.slice(), DEFAULT_LIMITS);
      this.raw.set(env, bytes.slice());
    } catch (e) {
      this.inbox.push({ invalid: ProtocolError.from(e).message });
      this.wake();
      return;
    }
    const responder = env.re === undefined ? this.responders.get(env.t) : undefined;
    if (responder) {
      void Promise.resolve()
        .then(() => responder(env))
        .then(
          (r) => this.isOpen && this.send(r.t, r.body, { re: env.id }),
          (e) => {
            const err = ProtocolError.from(e);
            if (this.isOpen) this.send('error', err.toBody(), { re: env.id });
          },
        );
      return;
    }
    this.inbox.push({ envelope: env });
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
