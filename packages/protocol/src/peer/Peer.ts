import {
  CLOSE_NORMAL,
  CLOSE_TOO_BIG,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_HIGH_WATER_BYTES,
  DEFAULT_LOW_WATER_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_MESSAGE_ID,
  PROTOCOL_VERSION,
} from '../constants';
import { type Body, decodeEnvelope, type Envelope, encodeEnvelope } from '../envelope';
import { closeCodeOf, type ErrorCode, errorCodeOfClose } from '../errorCodes';
import type { VerifiedHello } from '../handshake/verifyHello';
import { type Limits, resolveLimits } from '../limits';
import type { BodyOf, MessageBodies, ReplyOf } from '../messages/catalogue';
import { defaultRegistry, type MessageRegistry } from '../messages/MessageRegistry';
import { ProtocolError } from '../ProtocolError';
import { type FrameSocket, SOCKET_CLOSED, SOCKET_CLOSING } from './FrameSocket';

/** Options of a {@link Peer}. */
export interface PeerOptions {
  /** message types this side understands; defaults to the built-in catalogue */
  registry?: MessageRegistry;
  /** limits enforced on received frames (spec §5) */
  limits?: Partial<Limits>;
  /** limits the remote enforces; outgoing frames past them fail with `too_large` before sending */
  remoteLimits?: Partial<Limits>;
  /** default request deadline, ms */
  requestTimeoutMs?: number;
  /** ping after this much silence, ms; 0 disables heartbeats */
  heartbeatMs?: number;
  /** close with `timeout` after this much silence, ms */
  heartbeatTimeoutMs?: number;
  /** stop sending while `bufferedAmount` is above this, bytes */
  highWaterBytes?: number;
  /** resume sending below this, bytes */
  lowWaterBytes?: number;
  /** check outgoing bodies against the registry (default true) */
  validateOutgoing?: boolean;
  /** false until a handshake authenticates the connection (only session messages pass meanwhile) */
  authenticated?: boolean;
  /** errors not tied to a request: failing notify handlers, dropped frames */
  onError?: (error: ProtocolError) => void;
}

/** Options of one request. */
export interface RequestOptions {
  /** deadline, ms; defaults to the peer's `requestTimeoutMs` */
  timeoutMs?: number;
  /** aborting fails the request with `timeout` (the caller's own deadline) */
  signal?: AbortSignal;
}

/** What a handler learns about the message it handles. */
export interface HandlerContext {
  peer: Peer;
  /** the envelope id of the request */
  id: number;
  type: string;
  /** aborted when the connection closes */
  signal: AbortSignal;
  /** runs `callback` right after the reply has been handed to the socket */
  afterReply(callback: () => void): void;
}

/** Handles one message type; the returned body is sent as the reply of a request (ignored for notify). */
export type Handler<T extends string> = (
  body: BodyOf<T>,
  context: HandlerContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: notification handlers are plain `void` functions
) => ReplyOf<T> | void | Promise<ReplyOf<T> | void>;

interface Pending {
  type: string;
  reply: string | undefined;
  resolve: (body: Body) => void;
  reject: (error: ProtocolError) => void;
  timer: ReturnType<typeof setTimeout>;
  /** detaches the abort listener, if any */
  cleanup: (() => void) | undefined;
}

/** Message types allowed before the handshake completes (spec §6). */
const PRE_AUTH_TYPES = new Set(['challenge', 'hello', 'welcome', 'error', 'bye']);

function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    const out = new Uint8Array(data.reduce((n, d: Uint8Array) => n + d.length, 0));
    let at = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, at);
      at += d.length;
    }
    return out;
  }
  return undefined;
}

/** Closing reason sent in a WebSocket close frame: at most 123 bytes (RFC 6455 §5.5). */
function closeReason(code: ErrorCode, message: string): string {
  const reason = `${code}: ${message}`;
  const bytes = new TextEncoder().encode(reason);
  return bytes.length <= 123
    ? reason
    : new TextDecoder().decode(bytes.subarray(0, 120)).replace(/\uFFFD$/, '');
}

/**
 * One end of a connection (spec §7): request/response by `id`/`re` with deadlines, notifications,
 * heartbeats, backpressure and clean close. When the connection ends, every pending request fails
 * with `closed` (or `timeout` when the heartbeat found the remote dead).
 *
 * @example
 * ```ts
 * peer.handle('ping', (body) => ({ ts: body.ts }));
 * const pong = await peer.request('ping', { ts: Date.now() }, { timeoutMs: 1000 });
 * ```
 */
export class Peer {
  /** set by the server handshake: who the remote is */
  hello: VerifiedHello | undefined;
  /** set by the client handshake: what the server said */
  welcome: MessageBodies['welcome'] | undefined;
  /** limits enforced on received frames */
  readonly limits: Limits;
  /** limits the remote enforces (updated from `welcome`) */
  remoteLimits: Limits;
  /** settles once, when the connection ends, with the reason */
  readonly closed: Promise<ProtocolError>;

  private readonly registry: MessageRegistry;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler<any>>();
  private readonly abort = new AbortController();
  private readonly options: Required<
    Pick<
      PeerOptions,
      | 'requestTimeoutMs'
      | 'heartbeatMs'
      | 'heartbeatTimeoutMs'
      | 'highWaterBytes'
      | 'lowWaterBytes'
      | 'validateOutgoing'
    >
  >;
  private readonly onError: (error: ProtocolError) => void;
  private authenticated: boolean;
  private nextId = 1;
  private lastHeard = Date.now();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pinging = false;
  private closeReason: ProtocolError | undefined;
  /** the reason a `bye` gave, used when the close frame follows */
  private closeReasonFromBye: ProtocolError | undefined;
  /** what `ws` said went wrong, used when the close frame carries no code of ours */
  private socketError: ProtocolError | undefined;
  private resolveClosed!: (reason: ProtocolError) => void;
  private readonly listeners: Array<[Parameters<FrameSocket['addEventListener']>[0], (e: any) => void]>;

  constructor(
    readonly socket: FrameSocket,
    options: PeerOptions = {},
  ) {
    this.registry = options.registry ?? defaultRegistry;
    this.limits = resolveLimits(options.limits);
    this.remoteLimits = resolveLimits(options.remoteLimits ?? options.limits);
    this.options = {
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      highWaterBytes: options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES,
      lowWaterBytes: options.lowWaterBytes ?? DEFAULT_LOW_WATER_BYTES,
      validateOutgoing: options.validateOutgoing ?? true,
    };
    this.onError = options.onError ?? (() => {});
    this.authenticated = options.authenticated ?? true;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    if (socket.binaryType === 'blob') socket.binaryType = 'arraybuffer';
    this.listeners = [
      ['message', (event: { data: unknown }) => this.onData(event.data)],
      ['close', (event: { code: number; reason: string }) => this.onSocketClose(event.code, event.reason)],
      ['error', (event: { error?: { code?: unknown } }) => this.onSocketError(event.error?.code)],
    ];
    for (const [type, listener] of this.listeners) socket.addEventListener(type, listener);
    this.handlers.set('ping', (body: { ts: number }) => ({ ts: body.ts }));
    if (socket.readyState === SOCKET_CLOSING || socket.readyState === SOCKET_CLOSED) {
      this.finish(new ProtocolError('closed', 'socket already closed'));
    } else if (this.options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), Math.max(1, Math.floor(this.options.heartbeatMs / 2)));
      unref(this.heartbeat);
    }
  }

  /** Whether the connection is usable. */
  get isOpen(): boolean {
    return this.closeReason === undefined;
  }

  /** Whether the handshake has completed (always true for peers created `authenticated`). */
  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  /** Requests awaiting a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Opens the gate of spec §6 once a handshake succeeds; used by the handshake helpers. */
  authenticate(): void {
    this.authenticated = true;
  }

  /** Registers the handler of a message type (replacing any previous); returns an unregister function. */
  handle<T extends string>(type: T, handler: Handler<T>): () => void {
    this.handlers.set(type, handler);
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type);
    };
  }

  /**
   * Sends a request and resolves with the reply body.
   *
   * @throws ProtocolError the remote's error reply; `timeout` past the deadline; `closed` if the
   *   connection ends first; `bad_request`/`too_large` if the request cannot be sent.
   */
  request<T extends string>(type: T, body: BodyOf<T>, options: RequestOptions = {}): Promise<ReplyOf<T>> {
    return new Promise<ReplyOf<T>>((resolve, reject) => {
      if (this.closeReason !== undefined) return reject(this.closedError());
      const spec = this.registry.get(type);
      let frame: Uint8Array;
      const id = this.allocateId();
      try {
        if (this.options.validateOutgoing) this.registry.validate(type, body);
        frame = encodeEnvelope({ v: PROTOCOL_VERSION, t: type, id, body: body as Body }, this.remoteLimits);
      } catch (error) {
        return reject(ProtocolError.from(error));
      }
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.settle(id, new ProtocolError('timeout', `${type} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const pending: Pending = {
        type,
        reply: spec?.reply,
        resolve: resolve as (body: Body) => void,
        reject,
        timer,
        cleanup: undefined,
      };
      this.pending.set(id, pending);
      const signal = options.signal;
      if (signal !== undefined) {
        const onAbort = () =>
          this.settle(id, new ProtocolError('timeout', `${type} aborted`, { cause: signal.reason }));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        pending.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.write(frame, Date.now() + timeoutMs).catch((error: ProtocolError) => {
        const e =
          error.code === 'overloaded'
            ? new ProtocolError('timeout', `${type} could not be sent in time`, { cause: error })
            : error;
        this.settle(id, e);
      });
    });
  }

  /**
   * Sends a notification (no reply expected).
   *
   * @throws ProtocolError `closed`, `bad_request`, `too_large`, or `overloaded` if backpressure lasts
   *   longer than the request timeout.
   */
  async notify<T extends string>(type: T, body: BodyOf<T>): Promise<void> {
    if (this.closeReason !== undefined) throw this.closedError();
    if (this.options.validateOutgoing) this.registry.validate(type, body);
    const frame = encodeEnvelope(
      { v: PROTOCOL_VERSION, t: type, id: this.allocateId(), body: body as Body },
      this.remoteLimits,
    );
    await this.write(frame, Date.now() + this.options.requestTimeoutMs);
  }

  /**
   * Closes the connection: sends `bye`, then a close frame (1000, or the 40xx code of `code`).
   * Pending requests fail with `closed`.
   */
  close(code?: ErrorCode, message = 'bye'): Promise<ProtocolError> {
    if (this.closeReason === undefined) {
      const reason = new ProtocolError(code ?? 'closed', message, { details: 'closed by this side' });
      const bye: Body = code === undefined ? { reason: message } : { reason: message, code };
      try {
        const frame = encodeEnvelope({ v: PROTOCOL_VERSION, t: 'bye', id: this.allocateId(), body: bye });
        this.socket.send(frame);
      } catch {
        // the socket may already be gone; closing anyway
      }
      this.finish(reason);
      try {
        this.socket.close(
          code === undefined ? CLOSE_NORMAL : closeCodeOf(code),
          closeReason(code ?? 'closed', message),
        );
      } catch {
        // already closed
      }
    }
    return this.closed;
  }

  /** The error of an operation attempted after the connection ended. */
  private closedError(): ProtocolError {
    const reason = this.closeReason;
    if (reason?.code === 'timeout') return reason;
    return new ProtocolError('closed', 'connection closed', { cause: reason });
  }

  /** The next id not held by a pending request (spec §7.1); counts up from 1 and wraps. */
  private allocateId(): number {
    let id = this.nextId;
    while (this.pending.has(id)) id = id === MAX_MESSAGE_ID ? 1 : id + 1;
    this.nextId = id === MAX_MESSAGE_ID ? 1 : id + 1;
    return id;
  }

  /** Sends now if the socket is below the high-water mark, else waits until it drains below the low mark. */
  private write(frame: Uint8Array, deadline: number): Promise<void> {
    if (this.socket.bufferedAmount <= this.options.highWaterBytes) {
      this.socket.send(frame);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      let delay = 1;
      const poll = () => {
        if (this.closeReason !== undefined) return reject(this.closedError());
        if (this.socket.bufferedAmount <= this.options.lowWaterBytes) {
          this.socket.send(frame);
          return resolve();
        }
        if (Date.now() >= deadline) {
          return reject(new ProtocolError('overloaded', 'send buffer did not drain before the deadline'));
        }
        delay = Math.min(delay * 2, 16);
        setTimeout(poll, delay);
      };
      setTimeout(poll, delay);
    });
  }

  private settle(id: number, outcome: Body | ProtocolError): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.cleanup?.();
    if (outcome instanceof ProtocolError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  private send(envelope: Envelope): void {
    if (this.closeReason !== undefined) return;
    let frame: Uint8Array;
    try {
      if (this.options.validateOutgoing) this.registry.validate(envelope.t, envelope.body);
      frame = encodeEnvelope(envelope, this.remoteLimits);
    } catch (error) {
      const e = ProtocolError.from(error);
      this.onError(e);
      if (envelope.re === undefined || envelope.t === 'error') return;
      this.sendError(envelope.re, e);
      return;
    }
    this.write(frame, Date.now() + this.options.requestTimeoutMs).catch((error) =>
      this.onError(ProtocolError.from(error)),
    );
  }

  private sendError(re: number | undefined, error: ProtocolError): void {
    const envelope: Envelope = {
      v: PROTOCOL_VERSION,
      t: 'error',
      id: this.allocateId(),
      body: error.toBody(),
    };
    if (re !== undefined) envelope.re = re;
    this.send(envelope);
  }

  /** Reports a fatal error to the remote and closes with its code. */
  private fail(error: ProtocolError, re?: number): void {
    this.sendError(re, error);
    this.close(error.code, error.shortMessage);
  }

  private onData(data: unknown): void {
    if (this.closeReason !== undefined) return;
    this.lastHeard = Date.now();
    const bytes = toBytes(data);
    if (bytes === undefined) {
      this.fail(new ProtocolError('bad_frame', 'text or unknown frame type', { details: typeof data }));
      return;
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes, this.limits, { inPlace: true }); // the frame is ours alone
    } catch (error) {
      this.fail(ProtocolError.from(error));
      return;
    }
    if (envelope.re !== undefined) {
      this.onReply(envelope);
      return;
    }
    this.onMessage(envelope);
  }

  private onReply(envelope: Envelope): void {
    const pending = this.pending.get(envelope.re!);
    if (pending === undefined) return; // a late reply after a timeout: dropped (spec §7)
    try {
      this.registry.validate(envelope.t, envelope.body);
    } catch (error) {
      this.settle(envelope.re!, ProtocolError.from(error));
      return;
    }
    if (envelope.t === 'error') {
      this.settle(envelope.re!, ProtocolError.fromBody(envelope.body));
      return;
    }
    if (pending.reply !== undefined && envelope.t !== pending.reply) {
      this.settle(
        envelope.re!,
        new ProtocolError('bad_request', `${pending.type} answered with ${envelope.t}`, {
          details: `expected ${pending.reply}`,
        }),
      );
      return;
    }
    if (envelope.t === 'welcome' && pending.type === 'hello') this.authenticated = true;
    this.settle(envelope.re!, envelope.body);
  }

  private onMessage(envelope: Envelope): void {
    const { t, id, body } = envelope;
    if (!this.authenticated && !PRE_AUTH_TYPES.has(t)) {
      this.fail(new ProtocolError('unauthorized', `${t} before the handshake`), id);
      return;
    }
    let kind: string;
    try {
      kind = this.registry.validate(t, body).kind;
    } catch (error) {
      // before the handshake every failure ends the connection (spec §6)
      if (this.authenticated) this.sendError(id, ProtocolError.from(error));
      else this.fail(ProtocolError.from(error), id);
      return;
    }
    if (t === 'bye') {
      const code = (body as MessageBodies['bye']).code;
      this.closeReasonFromBye = new ProtocolError(code ?? 'closed', (body as MessageBodies['bye']).reason, {
        details: 'closed by the remote',
      });
      return;
    }
    if (t === 'error') {
      this.onError(ProtocolError.fromBody(body));
      return;
    }
    if (kind === 'reply') {
      this.sendError(id, new ProtocolError('bad_request', `${t} is a reply but has no re`));
      return;
    }
    const handler = this.handlers.get(t);
    if (handler === undefined) {
      if (kind === 'request') this.sendError(id, new ProtocolError('unsupported', `no handler for ${t}`));
      return;
    }
    this.runHandler(handler, envelope, kind === 'request');
  }

  private runHandler(handler: Handler<any>, envelope: Envelope, isRequest: boolean): void {
    const after: Array<() => void> = [];
    const context: HandlerContext = {
      peer: this,
      id: envelope.id,
      type: envelope.t,
      signal: this.abort.signal,
      afterReply: (callback) => after.push(callback),
    };
    const spec = this.registry.get(envelope.t);
    new Promise((resolve) => resolve(handler(envelope.body as never, context))).then(
      (result) => {
        if (!isRequest) return;
        this.send({
          v: PROTOCOL_VERSION,
          t: spec?.reply ?? 'ok',
          id: this.allocateId(),
          re: envelope.id,
          body: (result ?? {}) as Body,
        });
        for (const callback of after) callback();
      },
      (error: unknown) => {
        const e =
          error instanceof ProtocolError
            ? error
            : new ProtocolError('internal', 'handler failed', { cause: error });
        if (e.code === 'internal') this.onError(ProtocolError.from(error));
        if (!isRequest) return;
        if (!this.authenticated) {
          this.fail(e, envelope.id);
          return;
        }
        this.sendError(envelope.id, e);
      },
    );
  }

  private beat(): void {
    if (this.closeReason !== undefined) return;
    const silent = Date.now() - this.lastHeard;
    if (silent >= this.options.heartbeatTimeoutMs) {
      // Timers run before the event loop reads sockets: after a long stall of this process, frames
      // the remote sent meanwhile are still unread. Judge after they are (setImmediate runs once
      // pending I/O has been handled).
      const setImmediateFn = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
      const judge = () => {
        if (this.closeReason !== undefined) return;
        const quiet = Date.now() - this.lastHeard;
        if (quiet >= this.options.heartbeatTimeoutMs) {
          this.die(new ProtocolError('timeout', `no frame from the peer for ${quiet} ms`));
        }
      };
      if (setImmediateFn) setImmediateFn(judge);
      else setTimeout(judge, 0);
      return;
    }
    if (silent >= this.options.heartbeatMs && !this.pinging && this.authenticated) {
      this.pinging = true;
      this.request('ping', { ts: Date.now() }, { timeoutMs: this.options.heartbeatTimeoutMs }).then(
        () => {
          this.pinging = false;
        },
        (error: ProtocolError) => {
          this.pinging = false;
          if (error.code === 'timeout') this.die(error);
        },
      );
    }
  }

  /** The remote stopped answering: fail everything with `reason` and drop the socket without a handshake. */
  private die(reason: ProtocolError): void {
    this.finish(reason);
    const terminate = (this.socket as { terminate?: () => void }).terminate;
    if (typeof terminate === 'function') terminate.call(this.socket);
    else this.socket.close(closeCodeOf('timeout'), closeReason('timeout', reason.shortMessage));
  }

  /** `ws` reports why it dropped a connection through error codes; browsers report nothing. */
  private onSocketError(code: unknown): void {
    if (typeof code !== 'string') return;
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.socketError = new ProtocolError('too_large', 'frame exceeds maxFrameBytes', { details: code });
    } else if (code.startsWith('WS_ERR_')) {
      this.socketError = new ProtocolError('bad_frame', 'invalid WebSocket frame', { details: code });
    }
  }

  private onSocketClose(code: number, reason: string): void {
    if (this.closeReason !== undefined) return;
    const ours = errorCodeOfClose(code);
    const error =
      this.closeReasonFromBye ??
      this.socketError ??
      (code === CLOSE_TOO_BIG
        ? new ProtocolError('too_large', 'the remote closed: message too big', { details: reason })
        : new ProtocolError(ours ?? 'closed', reason === '' ? `connection closed (${code})` : reason, {
            details: `close code ${code}`,
          }));
    this.finish(error);
  }

  /** Marks the peer closed once: stops timers, fails pending requests, detaches from the socket. */
  private finish(reason: ProtocolError): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.abort.abort(reason);
    const failure = this.closedError();
    for (const id of [...this.pending.keys()]) this.settle(id, failure);
    // 'close' and 'error' stay attached: `ws` throws on an 'error' event nobody listens to
    for (const [type, listener] of this.listeners) {
      if (type === 'message') this.socket.removeEventListener(type, listener);
    }
    this.resolveClosed(reason);
  }
}
