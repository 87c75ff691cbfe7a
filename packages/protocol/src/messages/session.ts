import { Type } from '@sinclair/typebox';
import { message } from './MessageSpec';
import { ErrorCodeSchema, FixedBin, Name, PublicKey, Signature, UInt } from './wireTypes';

/** Roles a node may claim in `hello` (spec §6). */
export const RoleSchema = Type.Union(
  [Type.Literal('coordinator'), Type.Literal('worker'), Type.Literal('trainer'), Type.Literal('client')],
  { description: 'coordinator orders work; worker serves layers; trainer trains; client consumes' },
);

/** Execution backends a node offers. */
export const BackendSchema = Type.Union(
  [Type.Literal('cpu'), Type.Literal('cuda'), Type.Literal('wasm'), Type.Literal('webgpu')],
  { description: 'execution backend' },
);

/** A contiguous range of layers `[start, end)` of one model. */
export const LayerSpanSchema = Type.Object(
  { model: Name('model id'), start: UInt('first layer'), end: UInt('one past the last layer') },
  { description: 'layers [start, end) of a model' },
);

/** What a node can do (spec §6). */
export const CapabilitiesSchema = Type.Object(
  {
    backends: Type.Array(BackendSchema, { maxItems: 8 }),
    memoryBytes: UInt('memory budget for weights and activations, bytes'),
    layerSpans: Type.Array(LayerSpanSchema, { maxItems: 256, description: 'layer spans held now' }),
  },
  { description: 'node capabilities' },
);

/** Limits a receiver enforces (spec §5), announced in `welcome`. */
export const LimitsSchema = Type.Object({
  maxFrameBytes: UInt(),
  maxTensorElements: UInt(),
  maxCollectionLength: UInt(),
  maxDepth: UInt(),
  maxStringBytes: UInt(),
});

export const ChallengeBody = Type.Object({
  nonce: FixedBin(32, '32 random bytes, never reused'),
  serverId: Name('server identity, part of the signed hello message'),
});
export const HelloBody = Type.Object({
  pubkey: PublicKey(),
  sig: Signature(),
  roles: Type.Array(RoleSchema, { maxItems: 4 }),
  capabilities: CapabilitiesSchema,
  version: UInt('protocol version the client speaks'),
});
export const WelcomeBody = Type.Object({
  serverId: Name(),
  peerId: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'the client public key, lowercase hex' }),
  heartbeatMs: UInt('the server pings after this much silence'),
  limits: LimitsSchema,
});
export const PingBody = Type.Object({ ts: Type.Number({ description: 'sender clock, ms' }) });
export const PongBody = Type.Object({ ts: Type.Number({ description: 'the ping ts, echoed' }) });
export const ByeBody = Type.Object({
  reason: Type.String({ maxLength: 256 }),
  code: Type.Optional(ErrorCodeSchema),
});
export const ErrorReplyBody = Type.Object({
  code: ErrorCodeSchema,
  message: Type.String({ maxLength: 1024 }),
  retryable: Type.Boolean(),
});
export const OkBody = Type.Object({});

/** Session family (spec §9.1). */
export const SESSION_MESSAGES = [
  message({
    type: 'challenge',
    family: 'session',
    kind: 'notify',
    schema: ChallengeBody,
    description: 'server → client, first frame of a connection',
  }),
  message({
    type: 'hello',
    family: 'session',
    kind: 'request',
    reply: 'welcome',
    schema: HelloBody,
    description: 'client → server, signed answer to the challenge',
  }),
  message({
    type: 'welcome',
    family: 'session',
    kind: 'reply',
    schema: WelcomeBody,
    description: 'server → client, handshake accepted',
  }),
  message({
    type: 'ping',
    family: 'session',
    kind: 'request',
    reply: 'pong',
    schema: PingBody,
    description: 'heartbeat',
  }),
  message({
    type: 'pong',
    family: 'session',
    kind: 'reply',
    schema: PongBody,
    description: 'heartbeat answer',
  }),
  message({
    type: 'bye',
    family: 'session',
    kind: 'notify',
    schema: ByeBody,
    description: 'the sender is about to close the connection',
  }),
  message({
    type: 'error',
    family: 'session',
    kind: 'reply',
    schema: ErrorReplyBody,
    description: 'a request failed; without `re`, a connection-level error',
  }),
  message({ type: 'ok', family: 'session', kind: 'reply', schema: OkBody, description: 'request done' }),
];
