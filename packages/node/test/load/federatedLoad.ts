import { modelHash } from '@ailo/fedavg';
import { generateKeyPair, type KeyPair } from '@ailo/ledger';
import { trainLocal } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import { signContribution } from '@ailo/poc';
import {
  createIdentity,
  type MessageBodies,
  openClientPeer,
  type Peer,
  ProtocolError,
  type Tensor,
} from '@ailo/protocol';
import { WebSocket } from 'ws';
import { startCoordinatorNode } from '../../src/coordinator/startCoordinatorNode';
import { brownTrainingBatches, brownValidationPool } from '../../src/data/brownShards';
import { createTinyModel } from '../../src/model/createTinyModel';
import { nodeRegistry } from '../../src/wire/messages';
import { nonceToWire } from '../../src/worker/core/TrainerCore';
import { percentile } from './percentile';

/** What one federated round with many clients measured. */
export interface FederatedLoadReport {
  clients: number;
  /** s: connecting and joining every client */
  connectSeconds: number;
  /** s: announce → every update judged → aggregated and paid */
  roundSeconds: number;
  /** ms: task received → `update.submit` answered, per client */
  submitP50Ms: number;
  submitP99Ms: number;
  /** updates judged per second of the round */
  updatesPerSecond: number;
  accepted: number;
  rejected: number;
  /** rejection reasons with counts */
  reasons: Record<string, number>;
  /** clients that never got an answer to their update or never saw `round.result` */
  lost: number;
  /** clients answered twice, sent `round.result` twice, or listed twice in the report */
  duplicated: number;
  ledgerVerified: boolean;
  /** Σ balances + burned = minted after the round */
  supplyHolds: boolean;
}

interface Client {
  key: KeyPair;
  peer: Peer;
  replies: number;
  results: number;
  submitMs: number | undefined;
}

/**
 * `clients` simulated trainers (each its own key and WebSocket) in one round
 * on a coordinator with Proof-of-Contribution and the ledger. The clients do
 * not train: one Δ is trained locally once, and each client sends it with its
 * own noise (±30 % per coordinate), signed with its own key — so the
 * coordinator's side (transport, checks, aggregation, MINTs) is the real one.
 */
export async function federatedLoad(opts: {
  clients: number;
  dataDir: string;
}): Promise<FederatedLoadReport> {
  const modelDir = `${opts.dataDir}/fl-model`;
  createTinyModel(modelDir, { layers: 2, hidden: 16, heads: 2, context: 32 }, 5);
  const node = await startCoordinatorNode({
    dataDir: `${opts.dataDir}/fl-coord`,
    port: 0,
    models: [{ dir: modelDir }],
    // every simulated client shares 127.0.0.1
    abuse: { maxConnectionsPerIp: opts.clients + 64 },
    training: {
      chainId: 'ailo-load',
      validation: brownValidationPool(16, 8),
      settings: { batchSize: 2, seq: 16, maxSteps: 1, deadlineMs: 300_000 },
    },
  });
  const clients: Client[] = [];
  try {
    const rounds = node.rounds!;
    const weights = rounds.model;
    const schema = new Map([...weights].map(([k, w]) => [k, w.shape] as const));
    const config = node.coordinator.model().config;
    const trained = await trainLocal({
      model: { config, weights },
      batches: brownTrainingBatches(['news'], 2, 16, 0).slice(0, 1),
      optimizer: { lr: 5e-3 },
      backend: createNodeBackend('cpu'),
    });
    const base = modelHash(new Map([...weights].map(([k, w]) => [k, w.data] as const)), schema);
    const t0 = performance.now();
    for (let i = 0; i < opts.clients; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, opts.clients - i) }, (_, j) =>
          connectClient(node.coordinator.url, i + j, trained.update, trained.numSamples, schema, base),
        ),
      ).then((cs) => clients.push(...cs));
    }
    const deadline = Date.now() + 60_000;
    while (rounds.trainers().length < opts.clients) {
      if (Date.now() > deadline) throw new Error(`only ${rounds.trainers().length} clients joined`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const connectSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const report = await rounds.runRound();
    const roundSeconds = (performance.now() - t1) / 1000;
    await new Promise((r) => setTimeout(r, 200)); // the last round.result notifications
    const listed = new Map<string, number>();
    for (const x of [...report.accepted, ...report.rejected])
      listed.set(x.worker, (listed.get(x.worker) ?? 0) + 1);
    const reasons: Record<string, number> = {};
    for (const r of report.rejected) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    const submit = clients.flatMap((c) => (c.submitMs === undefined ? [] : [c.submitMs]));
    const s = await node.ledger!.summary();
    return {
      clients: opts.clients,
      connectSeconds,
      roundSeconds,
      submitP50Ms: percentile(submit, 0.5),
      submitP99Ms: percentile(submit, 0.99),
      updatesPerSecond: (report.accepted.length + report.rejected.length) / roundSeconds,
      accepted: report.accepted.length,
      rejected: report.rejected.length,
      reasons,
      lost: clients.filter((c) => c.replies === 0 || c.results === 0).length + (opts.clients - listed.size),
      duplicated:
        clients.filter((c) => c.replies > 1 || c.results > 1).length +
        [...listed.values()].filter((n) => n > 1).length,
      ledgerVerified: (await node.ledger!.verify()).ok,
      supplyHolds: s.balances + s.burned === s.minted,
    };
  } finally {
    await Promise.all(clients.map((c) => c.peer.close()));
    await node.close();
  }
}

async function connectClient(
  url: string,
  i: number,
  delta: Map<string, Float32Array>,
  numSamples: number,
  schema: Map<string, number[]>,
  base: string,
): Promise<Client> {
  const key = generateKeyPair();
  const peer = await openClientPeer(new WebSocket(url, { perMessageDeflate: false }) as never, {
    identity: createIdentity(key.secretKey),
    registry: nodeRegistry(),
    roles: ['trainer'],
    capabilities: { backends: ['cpu'], memoryBytes: 1 << 30, layerSpans: [] },
  });
  const c: Client = { key, peer, replies: 0, results: 0, submitMs: undefined };
  const models = new Map<number, MessageBodies['round.model']>();
  peer.handle('node.assign', () => ({}));
  peer.handle('round.model', (m) => {
    models.set(m.round, m);
  });
  peer.handle('round.result', () => {
    c.results++;
  });
  peer.handle('round.task', (task) => {
    const m = models.get(task.round)!;
    const t0 = performance.now();
    let seed = i * 7919 + 1;
    const noisy = new Map<string, Float32Array>();
    for (const [k, v] of delta) {
      const out = new Float32Array(v.length);
      for (let j = 0; j < v.length; j++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        out[j] = v[j]! * (0.7 + (0.6 * seed) / 2 ** 32);
      }
      noisy.set(k, out);
    }
    const deltaHash = modelHash(noisy, schema);
    const nonce = BigInt(Date.now()) * 1000n + BigInt(i);
    const proof = signContribution({ round: task.round, base, deltaHash, numSamples, nonce }, key, m.chainId);
    const wire: Record<string, Tensor> = {};
    for (const [k, v] of noisy) wire[k] = { dtype: 'f32', shape: [...schema.get(k)!], data: v };
    peer
      .request(
        'update.submit',
        {
          round: task.round,
          taskId: task.taskId,
          baseHash: task.baseHash,
          updateHash: Buffer.from(deltaHash, 'hex'),
          samples: numSamples,
          nonce: nonceToWire(nonce),
          pubkey: key.publicKey,
          sig: proof.signature,
          delta: wire,
        },
        { timeoutMs: 300_000 },
      )
      .then(
        () => undefined,
        (e) => {
          if (!(e instanceof ProtocolError) || e.code === 'closed' || e.code === 'timeout') throw e;
        },
      )
      .then(
        () => {
          c.replies++;
          c.submitMs = performance.now() - t0;
        },
        () => {},
      );
  });
  await peer.request('node.join', { layers: { start: i % 2, end: (i % 2) + 1 } });
  return c;
}
