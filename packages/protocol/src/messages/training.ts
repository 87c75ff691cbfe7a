import { Type } from '@sinclair/typebox';
import { message } from './MessageSpec';
import { Bin, Hash32, Name, PublicKey, Signature, TensorSchema, UInt } from './wireTypes';

const TaskId = () => Type.String({ minLength: 1, maxLength: 128, description: 'task id within the round' });

export const RoundAnnounceBody = Type.Object({
  round: UInt('round number'),
  model: Name('model id'),
  baseHash: Hash32('hash of the global model M_t'),
  deadline: UInt('updates after this unix time (ms) are dropped'),
  minClients: UInt(),
  maxClients: UInt(),
});
export const RoundTaskBody = Type.Object({
  round: UInt(),
  taskId: TaskId(),
  baseHash: Hash32(),
  shard: Name('which local data to train on'),
  epochs: Type.Integer({ minimum: 1, maximum: 1000 }),
  batchSize: Type.Integer({ minimum: 1, maximum: 65_536 }),
  learningRate: Type.Number({ exclusiveMinimum: 0 }),
  deadline: UInt('unix ms'),
});
export const UpdateSubmitBody = Type.Object({
  round: UInt(),
  taskId: TaskId(),
  baseHash: Hash32(),
  updateHash: Hash32('hash of the update tensors, see spec/fedavg'),
  samples: UInt('n_k, local training samples'),
  nonce: Bin({ minBytes: 16, maxBytes: 32 }),
  pubkey: PublicKey(),
  sig: Signature(),
  delta: Type.Record(
    Type.String({ minLength: 1, maxLength: 256 }),
    TensorSchema({ dtypes: ['f32', 'f16', 'bf16', 'i8'] }),
    {
      description: 'Δ_k by parameter name',
    },
  ),
});
export const RoundResultBody = Type.Object({
  round: UInt(),
  modelHash: Hash32('hash of M_{t+1}'),
  accepted: UInt(),
  rejected: UInt(),
  rewards: Type.Array(Type.Object({ pubkey: PublicKey(), amount: UInt('base units, 1 ALC = 1e8') }), {
    maxItems: 4096,
  }),
});

/** Training family (spec §9.3): one federated-averaging round. */
export const TRAINING_MESSAGES = [
  message({
    type: 'round.announce',
    family: 'training',
    kind: 'notify',
    schema: RoundAnnounceBody,
    description: 'coordinator → all, a round opens',
  }),
  message({
    type: 'round.task',
    family: 'training',
    kind: 'notify',
    schema: RoundTaskBody,
    description: 'coordinator → trainer, what to train',
  }),
  message({
    type: 'update.submit',
    family: 'training',
    kind: 'request',
    reply: 'ok',
    schema: UpdateSubmitBody,
    description: 'trainer → coordinator, a signed update Δ_k',
  }),
  message({
    type: 'round.result',
    family: 'training',
    kind: 'notify',
    schema: RoundResultBody,
    description: 'coordinator → all, the round closed',
  }),
];
