/**
 * Node-only helpers over the `ws` package: a peer server with the handshake built in, and a client
 * connector. The frame limit is passed to `ws` as `maxPayload`, so a frame whose header declares
 * more bytes is refused (close 1009) before its payload is buffered.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_LIMITS, resolveLimits } from './limits';
import { ProtocolError } from './ProtocolError';
import type { ClientPeerOptions, ServerPeerOptions } from './peer/openPeer';
import { openClientPeer, openServerPeer } from './peer/openPeer';
import type { Peer } from './peer/Peer';

/** Options of {@link createPeerServer}. */
export interface PeerServerOptions extends ServerPeerOptions {
  /** TCP port (0 = any free port); ignored with `server` */
  port?: number;
  host?: string;
  /** attach to an existing HTTP server instead of listening */
  server?: HttpServer;
  /** URL path to accept (any when omitted) */
  path?: string;
  /** called with each peer whose handshake succeeded */
  onPeer: (peer: Peer) => void;
  /** called when a connection fails its handshake */
  onReject?: (error: ProtocolError) => void;
}

/** A listening peer server. */
export interface PeerServer {
  /** the `ws` server, for advanced use */
  wss: WebSocketServer;
  /** bound port */
  port: number;
  /** `ws://host:port/path` */
  url: string;
  /** peers whose handshake succeeded and that are still open */
  peers: Set<Peer>;
  /** closes every peer and stops listening */
  close(): Promise<void>;
}

/** Runs the server handshake on a socket accepted by a `ws` server. */
export function acceptPeer(socket: WebSocket, options: ServerPeerOptions): Promise<Peer> {
  return openServerPeer(socket, options);
}

/**
 * Starts a WebSocket server that hands out authenticated peers.
 *
 * @example
 * ```ts
 * const server = await createPeerServer({ port: 0, serverId: 'coordinator', onPeer: (peer) => … });
 * ```
 */
export async function createPeerServer(options: PeerServerOptions): Promise<PeerServer> {
  const limits = resolveLimits(options.limits);
  const wssOptions: ConstructorParameters<typeof WebSocketServer>[0] = {
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
  };
  if (options.server !== undefined) wssOptions.server = options.server;
  else wssOptions.port = options.port ?? 0;
  if (options.host !== undefined) wssOptions.host = options.host;
  if (options.path !== undefined) wssOptions.path = options.path;
  const wss = new WebSocketServer(wssOptions);
  const peers = new Set<Peer>();
  wss.on('connection', (socket) => {
    acceptPeer(socket, options).then(
      (peer) => {
        peers.add(peer);
        peer.closed.then(() => peers.delete(peer));
        options.onPeer(peer);
      },
      (error) => options.onReject?.(ProtocolError.from(error)),
    );
  });
  if (options.server === undefined) {
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
  }
  const address = (options.server?.address() ?? wss.address()) as AddressInfo;
  const host = options.host ?? 'localhost';
  return {
    wss,
    port: address.port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${address.port}${options.path ?? ''}`,
    peers,
    async close() {
      await Promise.all([...peers].map((peer) => peer.close()));
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Connects to a peer server with `ws` and runs the client handshake. */
export function connectPeer(url: string, options: ClientPeerOptions): Promise<Peer> {
  const limits = resolveLimits(options.limits ?? DEFAULT_LIMITS);
  const socket = new WebSocket(url, { maxPayload: limits.maxFrameBytes, perMessageDeflate: false });
  return openClientPeer(socket, options);
}
