import { createServer } from 'node:http';
import { type Identity, peerIdOf, SeenNonces } from '@ailo/protocol';
import { createPeerServer } from '@ailo/protocol/node';
import { NODE_HEARTBEAT_TIMEOUT_MS } from '../../constants';
import { type AbuseLimitsInput, resolveAbuseLimits } from '../../coordinator/AbuseLimits';
import { ConnectionLimits } from '../../coordinator/ConnectionLimits';
import { listen } from '../../http/listen';
import { type Log, SILENT_LOG } from '../../logging/log';
import { nodeRegistry } from '../../wire/messages';
import type { LinkConnector } from '../core/LinkPool';
import type { WorkerCore } from '../core/WorkerCore';
import { connectWs } from './startWorker';

/** A worker's link endpoint: other workers send it chained steps. */
export interface LinkServer {
  /** `ws://host:port`, announced in `node.join` */
  url: string;
  /** connections refused over the per-IP limit, and closed for not upgrading in time */
  readonly stats: { refused: number; slow: number };
  close(): Promise<void>;
}

/**
 * Listens for links from other workers (`chain.step` only, and only for
 * sessions the coordinator opened with that worker as upstream). The server id
 * is this worker's node id, so a connecting worker knows whom it reached.
 *
 * The endpoint faces the network, so it keeps the coordinator's connection
 * limits (`abuse`: `maxConnectionsPerIp`, `handshakeTimeoutMs`): a socket past
 * the per-IP limit is closed at once, one that does not upgrade in time is
 * destroyed, and the signed hello must follow within the same time.
 */
export async function startLinkServer(
  core: WorkerCore,
  identity: Identity,
  o: { host: string; port: number; log?: Log; abuse?: AbuseLimitsInput },
): Promise<LinkServer> {
  const log = o.log ?? SILENT_LOG;
  const connections = new ConnectionLimits(resolveAbuseLimits(o.abuse));
  const http = createServer((_req, res) => {
    res.writeHead(426, { connection: 'close' }).end('this endpoint takes WebSocket links only\n');
  });
  connections.watch(http);
  http.on('connection', (socket) => {
    // counted by `watch` just before: past the limit, nothing more is spent on it
    if (connections.isExcess(socket)) socket.destroy();
  });
  await listen(http, o.port, o.host);
  const server = await createPeerServer({
    server: http,
    host: o.host,
    helloTimeoutMs: connections.limits.handshakeTimeoutMs,
    serverId: peerIdOf(identity.publicKey),
    registry: nodeRegistry(),
    seen: new SeenNonces(),
    heartbeatTimeoutMs: NODE_HEARTBEAT_TIMEOUT_MS,
    onPeer: (peer) => {
      core.attachLink(peer);
      log.debug({ from: peer.hello?.peerId.slice(0, 12) }, 'link from a worker');
    },
    onReject: (e) => log.warn({ code: e.code, err: e.shortMessage }, 'link refused'),
  });
  return {
    url: server.url,
    stats: connections.stats,
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Connects to other workers' link endpoints as `identity`, checking the node id each answers to. */
export function linkConnector(identity: Identity): LinkConnector {
  return (url, node) => connectWs(url, identity, { roles: ['worker'] }, { serverId: node });
}
