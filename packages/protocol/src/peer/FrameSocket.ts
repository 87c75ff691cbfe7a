/** WebSocket ready states (WHATWG). */
export const SOCKET_CONNECTING = 0;
export const SOCKET_OPEN = 1;
export const SOCKET_CLOSING = 2;
export const SOCKET_CLOSED = 3;

/**
 * The part of the WebSocket API a {@link Peer} uses. A browser `WebSocket` and a `ws` WebSocket both
 * satisfy it.
 */
export interface FrameSocket {
  readonly readyState: number;
  /** bytes queued but not yet handed to the network */
  readonly bufferedAmount: number;
  /** set to `arraybuffer` by the Peer when it is `blob` */
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: any) => void): void;
}

/** Resolves once `socket` is open; rejects if it closes or errors first. */
export function socketOpen(socket: FrameSocket): Promise<void> {
  if (socket.readyState === SOCKET_OPEN) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('close', onFail);
      socket.removeEventListener('error', onFail);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onOpen = () => done();
    const onFail = (event: { message?: string; code?: number }) =>
      done(new Error(event.message ?? `socket closed (${String(event.code)})`));
    socket.addEventListener('open', onOpen);
    socket.addEventListener('close', onFail);
    socket.addEventListener('error', onFail);
  });
}
