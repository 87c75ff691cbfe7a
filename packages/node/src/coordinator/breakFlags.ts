/**
 * Deliberately broken behaviours, switched on by `AILO_CONFORMANCE_BREAK`
 * (comma-separated names), so that `@ailo/conformance` can prove it catches a
 * node that breaks the spec. Never set in production: every flag makes the
 * node non-conforming on purpose.
 *
 * - `accept-bad-signature`: a hello whose signature does not verify is
 *   accepted under a throwaway identity instead of refused (breaks
 *   protocol.md §6.3).
 * - `misorder-blocks`: `ledger.sync` returns its blocks in reverse order
 *   (breaks ledger.md §9: a follower sees heights out of order).
 */
import {
  type Challenge,
  createIdentity,
  DEFAULT_LIMITS,
  decodeEnvelope,
  encodeEnvelope,
  type FrameSocket,
  type Hello,
  ProtocolError,
  signHello,
  verifyHello,
} from '@ailo/protocol';
import { NodeError } from '../errors';

/** The environment variable read. */
export const BREAK_ENV = 'AILO_CONFORMANCE_BREAK';

/** Known breaks. */
export const BREAK_FLAGS = ['accept-bad-signature', 'misorder-blocks'] as const;
export type BreakFlag = (typeof BREAK_FLAGS)[number];

/**
 * The breaks switched on in `env`.
 * @throws NodeError `bad_request` naming an unknown break.
 */
export function activeBreaks(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Set<BreakFlag> {
  const names = (env[BREAK_ENV] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(BREAK_FLAGS as readonly string[]).includes(n))
      throw new NodeError(
        'bad_request',
        `${BREAK_ENV}: unknown break "${n}"; known: ${BREAK_FLAGS.join(', ')}`,
      );
  return new Set(names as BreakFlag[]);
}

function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** `accept-bad-signature`: re-signs a failing hello with a throwaway key, so the server accepts it. */
function forgeHello(frame: unknown, challenge: Challenge | undefined): unknown {
  const bytes = bytesOf(frame);
  if (!bytes || !challenge) return frame;
  try {
    const env = decodeEnvelope(bytes.slice(), DEFAULT_LIMITS);
    if (env.t !== 'hello') return frame;
    const hello = env.body as unknown as Hello;
    try {
      verifyHello(hello, challenge);
      return frame;
    } catch (e) {
      if (!(e instanceof ProtocolError) || e.code !== 'bad_signature') return frame;
    }
    const forged = signHello(createIdentity(), challenge, {
      roles: hello.roles,
      capabilities: hello.capabilities,
      version: hello.version,
    });
    const out = encodeEnvelope({ ...env, body: { ...env.body, pubkey: forged.pubkey, sig: forged.sig } });
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  } catch {
    return frame;
  }
}

/**
 * Wraps an accepted socket with the handshake breaks that are switched on;
 * returns the socket itself when none is.
 */
export function withHandshakeBreaks<S extends FrameSocket>(socket: S): S {
  let breaks: Set<BreakFlag>;
  try {
    breaks = activeBreaks();
  } catch (e) {
    socket.close(4013, `internal: ${(e as NodeError).shortMessage}`.slice(0, 123));
    throw e;
  }
  if (!breaks.has('accept-bad-signature')) return socket;
  let challenge: Challenge | undefined;
  const wrapped = new Map<unknown, (event: { data: unknown }) => void>();
  return new Proxy(socket, {
    get(target, prop) {
      if (prop === 'send')
        return (data: Uint8Array) => {
          if (challenge === undefined) {
            try {
              const env = decodeEnvelope(data.slice(), DEFAULT_LIMITS);
              if (env.t === 'challenge') challenge = env.body as unknown as Challenge;
            } catch {
              // not ours to judge
            }
          }
          target.send(data);
        };
      if (prop === 'addEventListener')
        return (type: 'message', listener: (event: { data: unknown }) => void) => {
          if (type !== 'message') return target.addEventListener(type, listener);
          const w = (event: { data: unknown }) => listener({ data: forgeHello(event.data, challenge) });
          wrapped.set(listener, w);
          target.addEventListener(type, w);
        };
      if (prop === 'removeEventListener')
        return (type: 'message', listener: (event: { data: unknown }) => void) =>
          target.removeEventListener(type, wrapped.get(listener) ?? listener);
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value, target);
    },
  });
}

/** `misorder-blocks`: the blocks of a `ledger.sync` reply in reverse order; unchanged otherwise. */
export function withBlockOrderBreak<T>(blocks: T[]): T[] {
  return activeBreaks().has('misorder-blocks') ? [...blocks].reverse() : blocks;
}
