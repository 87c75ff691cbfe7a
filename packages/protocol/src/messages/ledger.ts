import { Type } from '@sinclair/typebox';
import { message } from './MessageSpec';
import { Bin, Hash32, UInt } from './wireTypes';

const Tx = () =>
  Bin({ minBytes: 1, maxBytes: 65_536, description: 'a signed transaction, encoded per spec/ledger.md' });
const Block = () => Bin({ minBytes: 1, description: 'a signed block, encoded per spec/ledger.md' });

export const TxSubmitBody = Type.Object({ tx: Tx() });
export const TxVerifyBody = Type.Object({ tx: Tx() });
export const TxReportBody = Type.Object({ tx: Tx() });
export const TxAckBody = Type.Object({
  txId: Hash32('transaction id'),
  accepted: Type.Boolean(),
  reason: Type.Optional(Type.String({ maxLength: 256 })),
});
export const BlockAnnounceBody = Type.Object({ height: UInt(), hash: Hash32('block hash'), block: Block() });
export const LedgerSyncBody = Type.Object({
  from: UInt('first block height wanted'),
  limit: Type.Integer({ minimum: 1, maximum: 1024 }),
});
export const LedgerBlocksBody = Type.Object({
  from: UInt('height of blocks[0]'),
  blocks: Type.Array(Block(), { maxItems: 1024 }),
  tipHeight: UInt(),
  tipHash: Hash32(),
});

/** Ledger family (spec §9.4). Transactions and blocks are opaque here; spec/ledger.md defines them. */
export const LEDGER_MESSAGES = [
  message({
    type: 'tx.submit',
    family: 'ledger',
    kind: 'request',
    reply: 'tx.ack',
    schema: TxSubmitBody,
    description: 'submit any transaction',
  }),
  message({
    type: 'tx.verify',
    family: 'ledger',
    kind: 'request',
    reply: 'tx.ack',
    schema: TxVerifyBody,
    description: 'submit a VERIFY transaction (a confirmation vote)',
  }),
  message({
    type: 'tx.report',
    family: 'ledger',
    kind: 'request',
    reply: 'tx.ack',
    schema: TxReportBody,
    description: 'submit a REPORT transaction (a dispute vote)',
  }),
  message({
    type: 'tx.ack',
    family: 'ledger',
    kind: 'reply',
    schema: TxAckBody,
    description: 'whether the transaction entered the pool',
  }),
  message({
    type: 'block.announce',
    family: 'ledger',
    kind: 'notify',
    schema: BlockAnnounceBody,
    description: 'coordinator → all, a new block',
  }),
  message({
    type: 'ledger.sync',
    family: 'ledger',
    kind: 'request',
    reply: 'ledger.blocks',
    schema: LedgerSyncBody,
    description: 'ask for blocks from a height',
  }),
  message({
    type: 'ledger.blocks',
    family: 'ledger',
    kind: 'reply',
    schema: LedgerBlocksBody,
    description: 'consecutive blocks and the current tip',
  }),
];
