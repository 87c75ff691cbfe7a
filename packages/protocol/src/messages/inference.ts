import { Type } from '@sinclair/typebox';
import { message } from './MessageSpec';
import { LayerSpanSchema } from './session';
import { TensorSchema, UInt } from './wireTypes';

const SessionId = () => Type.String({ minLength: 1, maxLength: 128, description: 'inference session id' });

export const InferOpenBody = Type.Object({
  session: SessionId(),
  span: LayerSpanSchema,
  maxContext: UInt('tokens the KV cache must hold'),
});
export const InferForwardBody = Type.Object({
  session: SessionId(),
  step: UInt('0 for the prefill, then one per decoded token'),
  position: UInt('index of the first token of `input` in the sequence'),
  input: TensorSchema({
    dtypes: ['i32', 'i64', 'f32', 'f16', 'bf16'],
    description:
      'token ids [batch, tokens] for the first stage, hidden states [batch, tokens, d_model] after',
  }),
  logitsFrom: Type.Optional(
    UInt(
      'last stage: the first token of `input` whose logits are returned (default 0, every token); a stage may ignore it and return every token',
    ),
  ),
});
export const InferResultBody = Type.Object({
  session: SessionId(),
  step: UInt(),
  output: TensorSchema({
    dtypes: ['f32', 'f16', 'bf16'],
    description: 'hidden states for the next stage, or logits from the last stage',
  }),
});
export const InferCloseBody = Type.Object({ session: SessionId() });

/** Inference family (spec §9.2): a stage of a layer pipeline. */
export const INFERENCE_MESSAGES = [
  message({
    type: 'infer.open',
    family: 'inference',
    kind: 'request',
    reply: 'ok',
    schema: InferOpenBody,
    description: 'open a session on the layers a node holds; allocates its KV cache',
  }),
  message({
    type: 'infer.forward',
    family: 'inference',
    kind: 'request',
    reply: 'infer.result',
    schema: InferForwardBody,
    description: 'run the span on the input, extending the session KV cache',
  }),
  message({
    type: 'infer.result',
    family: 'inference',
    kind: 'reply',
    schema: InferResultBody,
    description: 'output of one forward step',
  }),
  message({
    type: 'infer.close',
    family: 'inference',
    kind: 'request',
    reply: 'ok',
    schema: InferCloseBody,
    description: 'free the session',
  }),
];
