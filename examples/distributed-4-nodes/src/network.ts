import { type CoordinatorNode, type RunningWorker, startCoordinatorNode, startWorker } from '@ailo/node';

/** Workers in the network: one per layer span. */
export const WORKERS = 4;

/** A coordinator and its workers, all in this process, talking over real WebSockets on loopback. */
export interface Network {
  node: CoordinatorNode;
  workers: RunningWorker[];
  /** stops the workers, then the coordinator */
  close(): Promise<void>;
}

/**
 * Starts a coordinator serving the HF model directory `modelDir` (its chunks are served over
 * HTTP from `<dataDir>`) and {@link WORKERS} workers, worker `i` holding layers `[i, i + 1)`.
 * Each worker fetches and verifies only the chunks of its span (plus the embeddings for the
 * first span and the head for the last). Resolves once every layer is served.
 */
export async function startNetwork(modelDir: string, dataDir: string): Promise<Network> {
  const node = await startCoordinatorNode({
    dataDir,
    // 0: any free port; the real one is in `node.coordinator.url`
    port: 0,
    models: [{ dir: modelDir, id: 'tiny-gpt2' }],
    stages: WORKERS,
  });
  const c = node.coordinator;
  const workers = Array.from({ length: WORKERS }, (_, i) =>
    startWorker({
      coordinator: c.url,
      layers: { start: i, end: i + 1 },
      // one ONNX Runtime thread each: four workers share this machine's cores
      threads: 1,
      // this coordinator runs no ledger (no federated rounds)
      followLedger: false,
    }),
  );
  const close = async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await node.close();
  };
  try {
    await c.waitForCoverage(undefined, 60_000);
  } catch (e) {
    await close();
    throw e;
  }
  return { node, workers, close };
}
