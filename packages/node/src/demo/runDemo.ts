import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Address } from '@ailo/ledger';
import { generate } from '@ailo/pipeline';
import { loadOrCreateKey } from '../cli/nodeKey';
import { startCoordinatorNode } from '../coordinator/startCoordinatorNode';
import { workerAddress } from '../coordinator/WorkerRegistry';
import { brownValidationPool, genreGroups } from '../data/brownShards';
import { NodeError } from '../errors';
import type { Log } from '../logging/log';
import { createTinyModel } from '../model/createTinyModel';
import type { DemoOptions } from './DemoOptions';
import type { DemoSummary } from './DemoSummary';
import { type Out, progressLine, roundTable } from './printDemo';
import { selfCommand, WorkerProcess } from './WorkerProcess';

/** Chain id of the demo ledger. */
export const DEMO_CHAIN_ID = 'ailo-demo';

/** A finished demo run; `close` stops the coordinator and the workers. */
export interface DemoRun {
  summary: DemoSummary;
  close(): Promise<void>;
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new NodeError('unavailable', `Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The embedded demo: a coordinator in this process and `workers` worker
 * processes (`ailo worker`) on localhost, connected over WebSockets. Creates a tiny GPT-2 if
 * `<dataDir>/model` is absent, runs federated rounds on the Brown corpus
 * (one genre group per worker), checks and rewards every update
 * (Proof-of-Contribution, ledger MINTs), then generates a sample through the
 * trained model split across the workers. Everything persists in `dataDir`:
 * a second run continues the training and the ledger.
 */
export async function runDemo(o: DemoOptions, out: Out, log: Log): Promise<DemoRun> {
  const t0 = performance.now();
  const modelDir = join(o.dataDir, 'model');
  const created = createTinyModel(modelDir, {
    layers: o.layers,
    hidden: o.hidden,
    heads: o.heads,
    context: o.context,
  });
  out(
    `${created ? 'created' : 'using'} a ${o.layers}-layer d${o.hidden} GPT-2 (GPT-2 BPE, vocab 50257) in ${modelDir}`,
  );
  const seq = Math.min(64, o.context);
  const groups = genreGroups(o.workers);
  let node: Awaited<ReturnType<typeof startCoordinatorNode>>;
  try {
    node = await startCoordinatorNode({
      dataDir: join(o.dataDir, 'coordinator'),
      port: o.port,
      models: [{ dir: modelDir, id: 'ailo-demo-tiny' }],
      stages: Math.min(o.workers, o.layers),
      log,
      training: {
        chainId: DEMO_CHAIN_ID,
        validation: brownValidationPool(seq, 64),
        settings: { batchSize: 8, seq, maxSteps: o.steps, learningRate: 2e-3 },
        // every worker runs on this machine: per-IP caps sized to the demo, rate windows to its round length
        poc: {
          rateLimits: {
            maxAcceptedPerIp: o.workers,
            identity: { windowMs: 1000 },
            connection: { windowMs: 1000 },
          },
        },
      },
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE')
      throw new NodeError('unavailable', `Port ${o.port} is in use; pass --port to pick another`);
    throw e;
  }
  const c = node.coordinator;
  const rounds = node.rounds!;
  const ledger = node.ledger!;
  out(
    `coordinator on ${c.url}; starting ${o.workers} workers (Brown corpus genre groups: ${groups.map((g) => g.join('+')).join(' | ')})`,
  );
  const workers: WorkerProcess[] = [];
  const keys = [];
  const threadsPerWorker = Math.max(1, Math.floor(availableParallelism() / o.workers));
  for (let i = 0; i < o.workers; i++) {
    const dir = join(o.dataDir, 'workers');
    keys.push(await loadOrCreateKey(dir, `w${i}`));
    workers.push(
      new WorkerProcess(
        o.workerCommand ?? selfCommand(),
        [
          'worker',
          '--coordinator',
          c.url,
          '--wallet',
          join(dir, `w${i}.key.json`),
          '--corpus',
          `brown:${groups[i]!.join(',')}`,
          // all on this machine: chained decode steps pass worker to worker on loopback
          '--link',
          '0',
          // the workers share this machine's cores: one ONNX Runtime pool each, not one per core each
          '--threads',
          String(threadsPerWorker),
          '--json',
          ...(o.verbose ? ['--verbose'] : []),
        ],
        { verbose: o.verbose },
      ),
    );
  }
  const names = new Map(keys.map((k, i) => [Buffer.from(k.publicKey).toString('hex'), `w${i}`]));
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await node.close();
  };
  const dead = Promise.race(
    workers.map((w, i) =>
      w.exited.then((code) => {
        throw new NodeError('worker_failed', `Worker w${i} exited (${code}): ${w.errors() || 'no output'}`);
      }),
    ),
  );
  dead.catch(() => {});
  try {
    await Promise.race([
      until(() => rounds.trainers().length === o.workers, 120_000, 'the workers to join'),
      dead,
    ]);
    const reports = [];
    for (let r = 0; r < o.rounds; r++) {
      const report = await rounds.runRound((p) => {
        if (p.type === 'started')
          out(`round ${p.round}: ${p.clients} workers training ${o.steps} steps each on their own genres…`);
        else if (p.type === 'update') out(progressLine(p));
      });
      reports.push(report);
      for (const line of roundTable(report, names)) out(line);
    }
    await c.waitForCoverage(undefined, 120_000);
    for (const w of workers)
      await until(() => (w.ledger?.height ?? 0) >= ledger.height, 60_000, 'workers to sync the ledger');
    const model = c.model();
    const tok = model.tokenizer!;
    const promptIds = tok.encode(o.prompt);
    const pipeline = c.pipeline();
    const counted = { chained: pipeline.chainedSteps, relayed: pipeline.relayedSteps };
    const it = generate(
      pipeline,
      promptIds,
      { maxTokens: o.maxTokens, greedy: true, sessionId: 'demo-sample', stopOnEos: false },
      tok,
    );
    let route: DemoSummary['generation']['route'] = [];
    let servers: Address[] = [];
    let result: Awaited<ReturnType<typeof it.next>>;
    for (;;) {
      result = await it.next();
      if (route.length === 0) {
        route = (pipeline.routeOf('demo-sample') ?? []).map((h) => ({
          ...h,
          worker: names.get(h.worker) ?? h.worker,
        }));
        servers = (pipeline.servedBy('demo-sample') ?? []).map(workerAddress);
      }
      if (result.done) break;
    }
    const gen = result.value;
    // the sample is served work like any API request: each worker of its chain earns `rewards.inference`
    const paid = node.payouts!.record({
      requestId: `demo-${Date.now()}`,
      requester: ledger.key.address,
      servers,
    });
    await node.payouts!.flush();
    for (const w of workers)
      await until(() => (w.ledger?.height ?? 0) >= ledger.height, 60_000, 'workers to sync the ledger');
    const verified = (await ledger.verify()).ok;
    const sum = await ledger.summary();
    const summary: DemoSummary = {
      dataDir: o.dataDir,
      model: {
        id: model.id,
        layers: model.config.numLayers,
        hidden: model.config.hiddenSize,
        vocab: model.config.vocabSize,
        version: model.version,
        created,
      },
      workers: keys.map((k, i) => {
        const held = c.workers.get(Buffer.from(k.publicKey).toString('hex'))?.span;
        return {
          id: `w${i}`,
          address: k.address,
          genres: groups[i]!,
          span: held ? `${held.start}:${held.end}` : null,
          balance: ledger.node.account(k.address).balance.toString(),
        };
      }),
      rounds: reports,
      ledger: {
        height: sum.height,
        minted: sum.minted.toString(),
        burned: sum.burned.toString(),
        balances: sum.balances.toString(),
        stateHash: sum.stateHash,
        verified: verified && sum.balances + sum.burned === sum.minted,
        workersAgree: workers.every(
          (w) => w.ledger?.height === sum.height && w.ledger.stateHash === sum.stateHash,
        ),
      },
      generation: {
        prompt: o.prompt,
        promptIds,
        ids: gen.ids,
        text: gen.text,
        route,
        chainedSteps: pipeline.chainedSteps - counted.chained,
        relayedSteps: pipeline.relayedSteps - counted.relayed,
        rewards: paid.map((m) => ({ to: m.to, amount: m.amount.toString() })),
      },
      urls: {
        api: `${c.httpUrl}/v1`,
        health: `${c.httpUrl}/health`,
        metrics: `${c.httpUrl}/metrics`,
        ws: c.url,
      },
      seconds: (performance.now() - t0) / 1000,
    };
    return { summary, close };
  } catch (e) {
    await close();
    throw e;
  }
}
