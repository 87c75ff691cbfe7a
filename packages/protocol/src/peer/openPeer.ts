import { ProtocolError } from '../ProtocolError';
import { type ClientHandshakeOptions, clientHandshake } from './clientHandshake';
import { type FrameSocket, socketOpen } from './FrameSocket';
import { Peer, type PeerOptions } from './Peer';
import { type ServerHandshakeOptions, serverHandshake } from './serverHandshake';

/** Options of {@link openServerPeer}. */
export type ServerPeerOptions = Omit<PeerOptions, 'authenticated'> & ServerHandshakeOptions;

/** Options of {@link openClientPeer} and {@link connect}. */
export type ClientPeerOptions = Omit<PeerOptions, 'authenticated'> & ClientHandshakeOptions;

/** Wraps an accepted socket in a Peer and runs the server handshake; resolves once the client is verified. */
export async function openServerPeer(socket: FrameSocket, options: ServerPeerOptions): Promise<Peer> {
  const peer = new Peer(socket, { ...options, authenticated: false });
  const handshake: ServerHandshakeOptions = { ...options };
  if (options.heartbeatMs !== undefined) handshake.heartbeatMs = options.heartbeatMs;
  await serverHandshake(peer, handshake);
  return peer;
}

/**
 * Wraps a client socket (open or still connecting) in a Peer and runs the client handshake. The Peer
 * listens before the socket opens: the challenge may arrive in the same read as the upgrade.
 *
 * @throws ProtocolError `unavailable` if the socket never opens, else as {@link clientHandshake}.
 */
export async function openClientPeer(socket: FrameSocket, options: ClientPeerOptions): Promise<Peer> {
  let opened = false;
  const open = socketOpen(socket).then(
    () => {
      opened = true;
    },
    () => {},
  );
  const peer = new Peer(socket, { ...options, authenticated: false });
  try {
    await clientHandshake(peer, options);
  } catch (error) {
    await open;
    if (!opened) throw new ProtocolError('unavailable', 'could not connect', { cause: error });
    throw error;
  }
  return peer;
}

/**
 * Connects with the platform `WebSocket` (browsers, Node ≥ 22) and runs the client handshake. In
 * Node 20 use `connectPeer` from `@ailo/protocol/node`.
 */
export function connect(url: string, options: ClientPeerOptions): Promise<Peer> {
  const WebSocketCtor = (globalThis as { WebSocket?: new (url: string) => FrameSocket }).WebSocket;
  if (WebSocketCtor === undefined) {
    return Promise.reject(new ProtocolError('unavailable', 'no global WebSocket; use @ailo/protocol/node'));
  }
  const socket = new WebSocketCtor(url);
  socket.binaryType = 'arraybuffer';
  return openClientPeer(socket, options);
}
