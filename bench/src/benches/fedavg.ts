import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkUpdate, StreamingAggregator, simdAvailable } from '@ailo/fedavg';
import type { BenchModule, Figure } from '../types';

const MB = 1e6;

/**
 * numpy peers on the same bytes (read from a raw float32 file, shape K × N, weights n_k = k + 1):
 * `np.average(x, axis=0, weights=w)` and the streaming weighted sum `acc += np.float32(w_k) * x[k]`
 * (float32 accumulator, then / Σw). Prints JSON {average: GB/s[], streaming: GB/s[], result: first 8}.
 */
const NUMPY_PEER = `
import json, sys, time
import numpy as np
path, K, N, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.float32).reshape(K, N)
w = np.arange(1, K + 1, dtype=np.float64)
out = {"average": [], "streaming": []}
for _ in range(reps):
    t = time.perf_counter()
    avg = np.average(x, axis=0, weights=w)
    out["average"].append(x.nbytes / (time.perf_counter() - t) / 1e9)
    t = time.perf_counter()
    acc = np.zeros(N, dtype=np.float32)
    for k in range(K):
        acc += np.float32(w[k]) * x[k]
    acc /= np.float32(w.sum())
    out["streaming"].append(x.nbytes / (time.perf_counter() - t) / 1e9)
out["result"] = [float(v) for v in acc[:8]]
out["averageResult"] = [float(v) for v in avg[:8]]
print(json.dumps(out))
`;

interface NumpyResult {
  average: number[];
  streaming: number[];
  result: number[];
  averageResult: number[];
}

/** Deterministic data: a cheap xorshift fill, values in [−1, 1). */
function makeUpdates(k: number, n: number): Float32Array[] {
  return Array.from({ length: k }, (_, u) => {
    const x = new Float32Array(n);
    let s = (0x9e3779b9 ^ (u * 0x85ebca6b)) >>> 0 || 1;
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      x[i] = (s >>> 0) / 2 ** 31 - 1;
    }
    return x;
  });
}

function numpyPeer(path: string, k: number, n: number, reps: number): NumpyResult | string {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return 'python3 with numpy is not installed (apt-get install python3-numpy)';
  const run = spawnSync('python3', ['-c', NUMPY_PEER, path, String(k), String(n), String(reps)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) return `numpy peer failed: ${run.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(run.stdout) as NumpyResult;
}

const bench: BenchModule = {
  name: 'fedavg',
  description:
    'FedAvg weighted average of 10 updates × 100 MB (GB/s of update bytes read) vs numpy np.average and ' +
    'numpy streaming acc += w·x on the same data',
  async run(ctx) {
    const K = 10;
    const bytesPer = ctx.smoke ? 0.25 * MB : 100 * MB;
    const N = Math.round(bytesPer / 4);
    const reps = ctx.smoke ? 1 : 5;
    const total = K * N * 4;
    ctx.log(`fedavg: ${K} updates × ${(N * 4) / MB} MB, ${reps} repetitions, wasm SIMD: ${simdAvailable()}`);
    const xs = makeUpdates(K, N);
    const schema = new Map([['w', [N]]]);
    const updates = xs.map((x, k) => ({ delta: new Map([['w', x]]), numSamples: k + 1 }));

    const timeAdd = (precision: 'f32' | 'f64', prechecked: boolean) => {
      const input = prechecked ? updates.map((u) => checkUpdate(schema, u)) : updates;
      const t = performance.now();
      const agg = new StreamingAggregator(schema, { precision });
      for (const u of input) agg.add(u);
      const r = agg.finish();
      const gbs = total / ((performance.now() - t) / 1000) / 1e9;
      return { gbs, head: [...r.delta.get('w')!.slice(0, 8)] };
    };
    const ours = { f32: [] as number[], f64: [] as number[], fold: [] as number[] };
    let head: number[] = [];
    // repetitions alternate between us and numpy so both see the same machine load
    const dir = mkdtempSync(join(tmpdir(), 'ailo-bench-fedavg-'));
    let peer: NumpyResult | string = 'not run';
    try {
      const file = join(dir, 'updates.f32');
      writeFileSync(file, '');
      for (const x of xs) writeFileSync(file, new Uint8Array(x.buffer), { flag: 'a' });
      for (let r = 0; r < reps; r++) {
        const a = timeAdd('f32', false);
        ours.f32.push(a.gbs);
        head = a.head;
        ours.f64.push(timeAdd('f64', false).gbs);
        ours.fold.push(timeAdd('f32', true).gbs);
        const p = numpyPeer(file, K, N, 1);
        if (typeof p === 'string' || typeof peer === 'string') peer = p;
        else {
          peer.average.push(...p.average);
          peer.streaming.push(...p.streaming);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (typeof peer !== 'string') {
      const diff = Math.max(...head.map((v, i) => Math.abs(v - peer.result[i]!)));
      ctx.log(`fedavg: max |ours − numpy streaming| over the first 8 outputs = ${diff.toExponential(2)}`);
      if (!(diff < 1e-5)) throw new Error(`fedavg bench: results disagree with numpy (${diff})`);
    }
    const streaming: Figure['peer'] =
      typeof peer === 'string'
        ? { skipped: peer }
        : { name: 'numpy acc += w·x (float32, streaming)', samples: peer.streaming };
    const average: Figure['peer'] =
      typeof peer === 'string'
        ? { skipped: peer }
        : { name: 'numpy np.average(x, axis=0, weights=w)', samples: peer.average };
    return [
      {
        name: `FedAvg ${K} × ${bytesPer / MB} MB, StreamingAggregator.add (check + fold, f32) vs numpy streaming`,
        unit: 'GB/s',
        higherIsBetter: true,
        samples: ours.f32,
        peer: streaming,
        goal: '>= 1.0x numpy streaming weighted sum',
        goalRatio: 1,
      },
      {
        name: `FedAvg ${K} × ${bytesPer / MB} MB, StreamingAggregator.add (check + fold, f32) vs np.average`,
        unit: 'GB/s',
        higherIsBetter: true,
        samples: ours.f32,
        peer: average,
        goal: '>= 1.0x np.average',
        goalRatio: 1,
      },
      {
        name: `FedAvg ${K} × ${bytesPer / MB} MB, fold of pre-checked updates (f32) vs numpy streaming`,
        unit: 'GB/s',
        higherIsBetter: true,
        samples: ours.fold,
        peer: streaming,
        goal: '>= 1.0x numpy streaming weighted sum',
        goalRatio: 1,
      },
      {
        name: `FedAvg ${K} × ${bytesPer / MB} MB, StreamingAggregator.add (check + fold, f64 accumulator) vs numpy streaming`,
        unit: 'GB/s',
        higherIsBetter: true,
        samples: ours.f64,
        peer: streaming,
      },
    ];
  },
};

export default bench;
