/**
 * Where a wallet gets blocks from: the wire bytes of blocks `from`…tip, in order. On the network
 * this is the coordinator answering `ledger.sync` with `ledger.blocks`; in this example it is
 * a `LedgerNode` in the same process (`LedgerNode.blocksFrom` has exactly this shape).
 */
export interface BlockSource {
  blocksFrom(from: number): AsyncIterable<Uint8Array>;
}

/** Where a wallet sends signed transactions (wire bytes): `tx.submit` on the network. */
export interface TransactionSink {
  submit(bytes: Uint8Array): Promise<unknown>;
}
