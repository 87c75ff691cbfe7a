import { type Identity, peerIdOf, SeenNonces } from '@ailo/protocol';
import { createPeerServer } from '@ailo/protocol/node';
import { NODE_HEARTBEAT_TIMEOUT_MS } from '../../constants';
import { type Log, SILENT_LOG } from '../../logging/log';
import { nodeRegistry } from '../../wire/messages';
import type { LinkConnector } from '../core/LinkPool';
import type { WorkerCore } from '../core/WorkerCore';
import { connectWs } from './startWorker';

/** A worker's link endpoint: other workers send it chained steps. */
export interface LinkServer {
  /** `ws://host:port`, announced in `node.join` */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens for links from other workers (`chain.step` only, and only for
 * sessions the coordinator opened with that worker as upstream). The server id
 * is this worker's node id, so a connecting worker knows whom it reached.
 */
export async function startLinkServer(
  core: WorkerCore,
  identity: Identity,
  o: { host: string; port: number; log?: Log },
): Promise<LinkServer> {
  const log = o.log ?? SILENT_LOG;
  const server = await createPeerServer({
    host: o.host,
    port: o.port,
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
  return { url: server.url, close: () => server.close() };
}

/** Connects to other workers' link endpoints as `identity`, checking the node id each answers to. */
export function linkConnector(identity: Identity): LinkConnector {
  return (url, node) => connectWs(url, identity, { roles: ['worker'] }, { serverId: node });
}
