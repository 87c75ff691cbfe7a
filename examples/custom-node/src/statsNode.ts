import { type Peer, ProtocolError } from '@ailo/protocol';
import { createPeerServer } from '@ailo/protocol/node';
import { type StatsRequestBody, type StatsResultBody, statsRegistry } from './statsMessages';

/** Options of {@link startStatsNode}. */
export interface StatsNodeOptions {
  /** interface (default 127.0.0.1) */
  host?: string;
  /** TCP port; 0 = any free port (default) */
  port?: number;
  /** identity string signed into every hello (default `stats-node`) */
  serverId?: string;
  /** close connections without a valid hello after this (default: the protocol's 10 s). ms */
  helloTimeoutMs?: number;
}

/** A running stats node. */
export interface StatsNode {
  /** `ws://host:port` */
  url: string;
  serverId: string;
  /** peer ids (hex public keys) of the clients connected now */
  clients(): string[];
  close(): Promise<void>;
}

/** Count, mean and L2 norm of `x`, summed in float64. */
export function tensorStats({ x }: StatsRequestBody): StatsResultBody {
  let sum = 0;
  let squares = 0;
  for (const v of x.data) {
    sum += v;
    squares += v * v;
  }
  if (!Number.isFinite(sum) || !Number.isFinite(squares))
    throw new ProtocolError('bad_request', 'stats.tensor: the tensor holds NaN or ±Infinity');
  const count = x.data.length;
  return { count, mean: count === 0 ? 0 : sum / count, l2: Math.sqrt(squares) };
}

/**
 * A minimal third-party node: a WebSocket server speaking the Ailo wire protocol through
 * `@ailo/protocol` — signed handshake, canonical MessagePack envelopes, tensor extension,
 * limits, ping/pong, typed errors — that offers one service of its own, `stats.tensor`.
 * Everything else is answered as the spec requires (`unsupported`, `bad_request`, …).
 */
export async function startStatsNode(opts: StatsNodeOptions = {}): Promise<StatsNode> {
  const serverId = opts.serverId ?? 'stats-node';
  const peers = new Set<Peer>();
  const server = await createPeerServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    serverId,
    registry: statsRegistry(),
    ...(opts.helloTimeoutMs !== undefined ? { helloTimeoutMs: opts.helloTimeoutMs } : {}),
    onPeer: (peer) => {
      peers.add(peer);
      peer.closed.then(() => peers.delete(peer));
      // the registry has already checked the body against the schema (f32, rank ≤ 4, size)
      peer.handle('stats.tensor', (body) => tensorStats(body as StatsRequestBody));
    },
  });
  return {
    url: server.url,
    serverId,
    clients: () => [...peers].flatMap((p) => (p.hello ? [p.hello.peerId] : [])),
    close: () => server.close(),
  };
}
