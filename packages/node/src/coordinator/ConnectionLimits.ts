import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Peer } from '@ailo/protocol';
import type { WebSocket } from 'ws';
import { NodeError } from '../errors';
import { toApiError } from '../http/apiError';
import { sendJson } from '../http/respond';
import type { AbuseLimits } from './AbuseLimits';

/** The IP of a socket, IPv4-mapped IPv6 addresses as plain IPv4. */
export function ipOf(socket: Socket): string {
  const a = socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

interface Tracked {
  ip: string;
  /** ms, `performance.now()` when the TCP connection was accepted */
  since: number;
  /** closes the socket when no request or upgrade arrived in time */
  fuse: ReturnType<typeof setTimeout> | undefined;
  /** opened while its IP was at the limit: every request on it is refused */
  excess: boolean;
}

/** What {@link ConnectionLimits} refused. */
export interface ConnectionStats {
  /** connections over the per-IP limit */
  refused: number;
  /** connections closed for not sending a request or upgrade in time */
  slow: number;
}

/**
 * Per-connection limits of the coordinator's servers, enforced on the TCP
 * socket before HTTP or WebSocket code spends anything on it:
 *
 * - **handshake deadline** (slowloris): a socket that has not sent a complete
 *   HTTP request (or upgrade) within `handshakeTimeoutMs` is destroyed; after
 *   an upgrade, the rest of that time is the signed hello's deadline
 *   ({@link helloTimeoutMs}), which closes with `timeout` (4009);
 * - **connections per IP**: past `maxConnectionsPerIp` open sockets, a new
 *   one is answered `rate_limited` — HTTP 429, or a WebSocket `bye` and close
 *   4014 — and closed.
 */
export class ConnectionLimits {
  readonly stats: ConnectionStats = { refused: 0, slow: 0 };
  private readonly sockets = new WeakMap<Socket, Tracked>();
  private readonly perIp = new Map<string, number>();

  constructor(readonly limits: AbuseLimits) {}

  /** Open TCP connections from `ip`. */
  openFrom(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Whether `socket` was opened over the per-IP limit (false for a socket not tracked here). */
  isExcess(socket: Socket): boolean {
    return this.sockets.get(socket)?.excess ?? false;
  }

  /** Tracks every connection `server` accepts. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => this.onSocket(socket));
    const defuse = (req: IncomingMessage) => {
      const t = this.sockets.get(req.socket);
      if (t?.fuse !== undefined) clearTimeout(t.fuse);
      if (t) t.fuse = undefined;
    };
    server.on('request', defuse);
    server.on('upgrade', defuse);
  }

  /** The hello deadline of an upgraded socket: what is left of its handshake time. ms */
  helloTimeoutMs(socket: Socket): number {
    const t = this.sockets.get(socket);
    const used = t ? performance.now() - t.since : 0;
    return Math.max(1, Math.round(this.limits.handshakeTimeoutMs - used));
  }

  /**
   * Refuses a WebSocket opened over the per-IP limit: sends `bye` `rate_limited`
   * and closes with 4014. Returns whether the connection may go on to the handshake.
   */
  admitWebSocket(ws: WebSocket, req: IncomingMessage): boolean {
    const t = this.sockets.get(req.socket);
    if (!t?.excess) return true;
    new Peer(ws as never, { authenticated: false, heartbeatMs: 0 }).close('rate_limited', this.message(t.ip));
    return false;
  }

  /** Answers an HTTP request on a connection over the per-IP limit with 429 `rate_limited`; true if it did. */
  refuseHttp(req: IncomingMessage, res: ServerResponse): boolean {
    const t = this.sockets.get(req.socket);
    if (!t?.excess) return false;
    const e = toApiError(new NodeError('rate_limited', this.message(t.ip)));
    sendJson(res, e.status, e.body, { connection: 'close', 'retry-after': '1' });
    return true;
  }

  private message(ip: string): string {
    return `Too many connections from ${ip} (max ${this.limits.maxConnectionsPerIp})`;
  }

  private onSocket(socket: Socket): void {
    const ip = ipOf(socket);
    const open = this.openFrom(ip) + 1;
    this.perIp.set(ip, open);
    const t: Tracked = { ip, since: performance.now(), fuse: undefined, excess: false };
    if (open > this.limits.maxConnectionsPerIp) {
      t.excess = true;
      this.stats.refused++;
    }
    t.fuse = setTimeout(() => {
      t.fuse = undefined;
      this.stats.slow++;
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    this.sockets.set(socket, t);
    socket.once('close', () => {
      if (t.fuse !== undefined) clearTimeout(t.fuse);
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
  }
}
