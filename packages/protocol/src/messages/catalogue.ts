import type { Static } from '@sinclair/typebox';
import type * as I from './inference';
import { INFERENCE_MESSAGES } from './inference';
import type * as L from './ledger';
import { LEDGER_MESSAGES } from './ledger';
import type { MessageSpec } from './MessageSpec';
import type * as M from './model';
import { MODEL_MESSAGES } from './model';
import type * as S from './session';
import { SESSION_MESSAGES } from './session';
import type * as T from './training';
import { TRAINING_MESSAGES } from './training';

/** Every built-in message type (spec §9), in spec order. */
export const CATALOGUE: readonly MessageSpec[] = [
  ...SESSION_MESSAGES,
  ...INFERENCE_MESSAGES,
  ...TRAINING_MESSAGES,
  ...LEDGER_MESSAGES,
  ...MODEL_MESSAGES,
];

/**
 * Body type of each message type. Applications that register more types extend it:
 * `declare module '@ailo/protocol' { interface MessageBodies { 'x.y': XyBody } }`.
 */
export interface MessageBodies {
  challenge: Static<typeof S.ChallengeBody>;
  hello: Static<typeof S.HelloBody>;
  welcome: Static<typeof S.WelcomeBody>;
  ping: Static<typeof S.PingBody>;
  pong: Static<typeof S.PongBody>;
  bye: Static<typeof S.ByeBody>;
  error: Static<typeof S.ErrorReplyBody>;
  ok: Static<typeof S.OkBody>;
  'infer.open': Static<typeof I.InferOpenBody>;
  'infer.forward': Static<typeof I.InferForwardBody>;
  'infer.result': Static<typeof I.InferResultBody>;
  'infer.close': Static<typeof I.InferCloseBody>;
  'round.announce': Static<typeof T.RoundAnnounceBody>;
  'round.task': Static<typeof T.RoundTaskBody>;
  'update.submit': Static<typeof T.UpdateSubmitBody>;
  'round.result': Static<typeof T.RoundResultBody>;
  'tx.submit': Static<typeof L.TxSubmitBody>;
  'tx.verify': Static<typeof L.TxVerifyBody>;
  'tx.report': Static<typeof L.TxReportBody>;
  'tx.ack': Static<typeof L.TxAckBody>;
  'block.announce': Static<typeof L.BlockAnnounceBody>;
  'ledger.sync': Static<typeof L.LedgerSyncBody>;
  'ledger.blocks': Static<typeof L.LedgerBlocksBody>;
  'model.manifest': Static<typeof M.ModelManifestBody>;
  'model.manifest.data': Static<typeof M.ModelManifestDataBody>;
  'model.chunk': Static<typeof M.ModelChunkBody>;
  'model.chunk.data': Static<typeof M.ModelChunkDataBody>;
}

/** Reply type of each request type; extend it alongside {@link MessageBodies}. */
export interface MessageReplies {
  hello: 'welcome';
  ping: 'pong';
  'infer.open': 'ok';
  'infer.forward': 'infer.result';
  'infer.close': 'ok';
  'update.submit': 'ok';
  'tx.submit': 'tx.ack';
  'tx.verify': 'tx.ack';
  'tx.report': 'tx.ack';
  'ledger.sync': 'ledger.blocks';
  'model.manifest': 'model.manifest.data';
  'model.chunk': 'model.chunk.data';
}

/** Body of message type `T` (a plain map for types the catalogue does not know). */
export type BodyOf<T extends string> = T extends keyof MessageBodies
  ? MessageBodies[T]
  : Record<string, unknown>;

/** Body of the reply to request type `T`. */
export type ReplyOf<T extends string> = T extends keyof MessageReplies
  ? MessageReplies[T] extends keyof MessageBodies
    ? MessageBodies[MessageReplies[T]]
    : Record<string, unknown>
  : Record<string, unknown>;
