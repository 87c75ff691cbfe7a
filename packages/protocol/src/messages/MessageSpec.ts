import type { TSchema } from '@sinclair/typebox';

/** How a message type is used (spec §7). */
export type MessageKind =
  /** expects one reply whose `re` is this message's `id` */
  | 'request'
  /** fire and forget */
  | 'notify'
  /** answers a request; always carries `re` */
  | 'reply';

/** One entry of the message catalogue (spec §9). */
export interface MessageSpec<S extends TSchema = TSchema> {
  /** the envelope `t` */
  type: string;
  /** session, inference, training, ledger, model, or a family added by an application */
  family: string;
  kind: MessageKind;
  /** body schema */
  schema: S;
  /** for requests: the reply type on success (an `error` reply may come instead) */
  reply?: string;
  /** one line for the spec */
  description: string;
}

/** Declares a spec entry, keeping the schema type for `Static`. */
export function message<S extends TSchema>(spec: MessageSpec<S>): MessageSpec<S> {
  return spec;
}
