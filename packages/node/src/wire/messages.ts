import {
  Bin,
  ErrorCodeSchema,
  InferForwardBody,
  InferOpenBody,
  MessageRegistry,
  Name,
  TensorSchema,
  UInt,
} from '@ailo/protocol';
import { type Static, Type } from '@sinclair/typebox';

/** A worker asks to serve: a fixed span, or `auto` (the coordinator picks from memory and coverage). */
export const NodeJoinBody = Type.Object({
  /** wanted layers [start, end); absent = auto */
  layers: Type.Optional(Type.Object({ start: UInt('first layer'), end: UInt('one past the last layer') })),
  /** wanted model id; absent = the coordinator's default model */
  model: Type.Optional(Name('model id')),
  /** where other workers can send chained steps (`chain.step`); absent = relay only (e.g. browsers) */
  link: Type.Optional(LinkUrl()),
});

function LinkUrl() {
  return Type.String({ pattern: '^wss?://', maxLength: 2048, description: "a worker's link endpoint" });
}
const NodeId = () =>
  Type.String({ pattern: '^[0-9a-f]{64}$', description: 'node id: hex Ed25519 public key' });

/**
 * `infer.open` for a chained session: besides opening the session on the span, names the only
 * node allowed to send it `chain.step` over a link (absent: the coordinator itself, for the first hop).
 */
export const ChainOpenBody = Type.Object({ ...InferOpenBody.properties, upstream: Type.Optional(NodeId()) });

const { session, step, position } = InferForwardBody.properties;

/** One step travelling down a chain: run the span, then pass the output to `next[0]` (or to the coordinator). */
export const ChainStepBody = Type.Object({
  session,
  step,
  position,
  input: TensorSchema({
    dtypes: ['i32', 'i64', 'f32'],
    description:
      'token ids [batch, tokens] for the first stage, hidden states [batch, tokens, d_model] after',
  }),
  /** the rest of the chain, in order; empty on the last stage */
  next: Type.Array(Type.Object({ node: NodeId(), url: LinkUrl() }), { maxItems: 1024 }),
  /** as in `infer.forward`: the first token whose logits the last stage returns */
  logitsFrom: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** The last stage's output of a chained step, sent to the coordinator. */
export const ChainResultBody = Type.Object({
  session,
  step,
  output: TensorSchema({ dtypes: ['f32'], description: 'logits [batch, tokens, vocab]' }),
});

/** A chained step stopped: at the sender's own stage (`self`) or because the next node could not be reached (`next`). */
export const ChainErrorBody = Type.Object({
  session,
  step,
  at: Type.Union([Type.Literal('self'), Type.Literal('next')]),
  code: ErrorCodeSchema,
  message: Type.String({ maxLength: 1024 }),
});

/** The coordinator tells a worker which span of which model version to load. */
export const NodeAssignBody = Type.Object({
  model: Name('model id'),
  /** sha256 (hex) of the model's manifest: a new global model is a new version */
  version: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  start: UInt('first layer'),
  end: UInt('one past the last layer'),
  /** absolute URL of the manifest; chunk files sit beside it */
  manifestUrl: Type.String({ minLength: 1, maxLength: 2048 }),
});

/** The coordinator tells trainers where the round's base model M_t is (sent before `round.task`). */
export const RoundModelBody = Type.Object({
  round: UInt('round number'),
  model: Name('model id'),
  /** ledger chain id: contribution claims are signed for it */
  chainId: Type.String({ minLength: 1, maxLength: 64 }),
  /** manifest sha256 (hex) of M_t as packed */
  version: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  manifestUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  /** tokens per training sequence */
  seq: Type.Integer({ minimum: 2, maximum: 65_536 }),
  /** optimizer steps to run at most this round */
  maxSteps: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Chain parameters of the coordinator's ledger, so a node can open its own copy and verify blocks. */
export const LedgerParamsBody = Type.Object({});
export const LedgerParamsDataBody = Type.Object({
  /** `encodeChainParams` bytes, spec/ledger.md */
  params: Bin({ minBytes: 1, maxBytes: 4096 }),
});

export type NodeJoin = Static<typeof NodeJoinBody>;
export type NodeAssign = Static<typeof NodeAssignBody>;
export type RoundModel = Static<typeof RoundModelBody>;
export type ChainOpen = Static<typeof ChainOpenBody>;
export type ChainStep = Static<typeof ChainStepBody>;
export type ChainResult = Static<typeof ChainResultBody>;
export type ChainError = Static<typeof ChainErrorBody>;

declare module '@ailo/protocol' {
  interface MessageBodies {
    'node.join': NodeJoin;
    'node.assign': NodeAssign;
    'round.model': RoundModel;
    'ledger.params': Static<typeof LedgerParamsBody>;
    'ledger.params.data': Static<typeof LedgerParamsDataBody>;
    'chain.open': ChainOpen;
    'chain.step': ChainStep;
    'chain.result': ChainResult;
    'chain.error': ChainError;
  }
  interface MessageReplies {
    'chain.open': 'ok';
    'node.join': 'ok';
    'node.assign': 'ok';
    'ledger.params': 'ledger.params.data';
  }
}

/**
 * The message types a reference node speaks: the protocol catalogue plus the
 * node family (join, assign). A fresh registry per call keeps the protocol's
 * default registry untouched.
 */
export function nodeRegistry(): MessageRegistry {
  return new MessageRegistry()
    .register('node.join', NodeJoinBody, {
      reply: 'ok',
      family: 'node',
      description: 'worker → coordinator: serve layers (a span, or auto)',
    })
    .register('node.assign', NodeAssignBody, {
      reply: 'ok',
      family: 'node',
      description: 'coordinator → worker: load this span of this model version; ok once it serves',
    })
    .register('round.model', RoundModelBody, {
      family: 'training',
      description: 'coordinator → trainer: where the base model of a round is, and how much to train',
    })
    .register('ledger.params', LedgerParamsBody, {
      reply: 'ledger.params.data',
      family: 'ledger',
      description: "node → coordinator: the ledger's chain parameters",
    })
    .register('ledger.params.data', LedgerParamsDataBody, {
      kind: 'reply',
      family: 'ledger',
      description: 'the chain parameters',
    })
    .register('chain.open', ChainOpenBody, {
      reply: 'ok',
      family: 'inference',
      description: 'coordinator → worker: infer.open, and who may send this session chained steps',
    })
    .register('chain.step', ChainStepBody, {
      family: 'inference',
      description:
        'coordinator → first worker, worker → next worker over a link: run the span and pass it on',
    })
    .register('chain.result', ChainResultBody, {
      family: 'inference',
      description: 'last worker → coordinator: logits of a chained step',
    })
    .register('chain.error', ChainErrorBody, {
      family: 'inference',
      description: 'worker → coordinator: a chained step stopped here or at the next node',
    });
}
