/**
 * Measures, for the package README:
 *  1. validation cost per update for the demo-sized model (GPT-2, 4 layers, d 128, vocab 50257,
 *     validation 8 × 64 tokens): wall time of the judge's whole check of one update, and of its
 *     held-out loss evaluation alone;
 *  2. the false rejection rate of honest updates in simulated 20-client non-IID rounds on the
 *     Brown corpus (each client holds one genre's files; the held-out pool mixes every genre),
 *     honest clients running plain SGD from a random initialisation.
 *
 * Run: npx tsx --conditions=source packages/poc/scripts/measure.ts [--rounds 5] [--clients 20]
 *      [--steps 4] [--lr 0.2] [--evaluator training|chain] [--probes 0.02,-1] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { modelHash, Round, SeededRng } from '@ailo/fedavg';
import { keyPairFromSecretKey } from '@ailo/ledger';
import { GPT2_EOS_ID, gpt2Tokenizer, parseHfConfig } from '@ailo/pipeline';
import { createNodeBackend, loadBrownCorpus } from '@ailo/pipeline/node';
import { modelTensors } from '@ailo/virtual-tensor';
import {
  applyDelta,
  ContributionJudge,
  type ContributionReport,
  cosine,
  createChainLossEvaluator,
  createTrainingLossEvaluator,
  type LossEvaluator,
  signContribution,
  sketchPlan,
  sketchUpdate,
  validationSample,
} from '../src/index';
import { LocalTrainer } from '../test/localTraining';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const ROUNDS = Number(args.get('rounds') ?? 5);
const CLIENTS = Number(args.get('clients') ?? 20);
const STEPS = Number(args.get('steps') ?? 4);
const LR = Number(args.get('lr') ?? 0.2);
const BATCH = 8;
const SEQ = 64;

const hf = { model_type: 'gpt2', n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128, vocab_size: 50257 };
const config = parseHfConfig(hf);
const schema = new Map<string, number[]>();
let model = new Map<string, Float32Array>();
const rng = new SeededRng(1);
for (const t of modelTensors(config)) {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  if (t.shape.length === 1 && /(ln_\d|ln_f)\.weight$/.test(t.name)) x.fill(1);
  else if (t.shape.length > 1) for (let i = 0; i < n; i++) x[i] = 0.02 * rng.nextGaussian();
  schema.set(t.name, [...t.shape]);
  model.set(t.name, x);
}
const params = [...model.values()].reduce((a, b) => a + b.length, 0);

// data: each genre's last document goes to the held-out pool; its other documents are split
// between the clients of that genre (client c holds genre c mod 15)
const tokenizer = gpt2Tokenizer();
const chunk = (tokens: readonly number[]): number[][] => {
  const out: number[][] = [];
  for (let i = 0; i + SEQ <= tokens.length; i += SEQ) out.push(tokens.slice(i, i + SEQ));
  return out;
};
const tokensOf = (docs: readonly { text: string }[]): number[] =>
  docs.flatMap((d) => [...tokenizer.encode(d.text), GPT2_EOS_ID]);
const byGenre = new Map<string, { text: string }[]>();
for (const d of loadBrownCorpus()) byGenre.set(d.genre, [...(byGenre.get(d.genre) ?? []), d]);
const genres = [...byGenre.keys()];
const pool: number[][] = [];
for (const docs of byGenre.values()) pool.push(...chunk(tokensOf(docs.slice(-1))));
const clientData: number[][][] = [];
for (let c = 0; c < CLIENTS; c++) {
  const docs = byGenre.get(genres[c % genres.length]!)!.slice(0, -1);
  const shares = Math.ceil((CLIENTS - (c % genres.length)) / genres.length);
  const share = Math.floor(c / genres.length);
  clientData.push(chunk(tokensOf(docs.filter((_, i) => i % shares === share).slice(0, 8))));
}

const backend = createNodeBackend('cpu');
const inner =
  args.get('evaluator') === 'chain'
    ? createChainLossEvaluator({ config, schema, backend })
    : createTrainingLossEvaluator({ config, schema, backend });

// 1. validation cost of one candidate model (8 × 64 tokens) with both evaluators
const costSample = validationSample(pool, new TextEncoder().encode('cost sample secret!!'), 0, 8);
const evaluatorCost: Record<string, number[]> = { chain: [], training: [] };
for (const [name, ev] of [
  ['chain', createChainLossEvaluator({ config, schema, backend })],
  ['training', createTrainingLossEvaluator({ config, schema, backend })],
] as const) {
  await ev.loss(model, costSample); // compiles the training graph once
  for (let r = 0; r < 5; r++) {
    const noise = new Map([...model].map(([k, v]) => [k, v.map(() => 1e-3 * rng.nextGaussian())]));
    const t0 = performance.now();
    await ev.loss(applyDelta(model, noise, schema, 1), costSample);
    evaluatorCost[name]!.push(performance.now() - t0);
  }
}
const evalTimes: number[] = [];
const evaluator: LossEvaluator = {
  async loss(w, seqs) {
    const t0 = performance.now();
    const l = await inner.loss(w, seqs);
    evalTimes.push(performance.now() - t0);
    return l;
  },
};
const secret = new TextEncoder().encode('measurement secret, not for production');
const judge = new ContributionJudge({ chainId: 'ailo-measure', secret, evaluator, validationPool: pool });
const keys = Array.from({ length: CLIENTS }, (_, c) => {
  const seed = new Uint8Array(32);
  seed[0] = c + 1;
  return keyPairFromSecretKey(seed);
});
const trainer = await LocalTrainer.create(config, schema, model, backend, BATCH, SEQ);

console.log(
  `model: GPT-2 4 layers, d 128, vocab 50257, ${(params / 1e6).toFixed(2)} M parameters; validation ${judge.config.validation.sequences} × ${SEQ} tokens from a pool of ${pool.length}`,
);
console.log(
  `clients: ${CLIENTS} (Brown genres: ${genres.join(', ')}), ${STEPS} SGD steps of ${BATCH} × ${SEQ} tokens per round, lr ${LR}`,
);

const checkTimes: number[] = [];
/** CPU time of the whole process (all threads) during each check. ms */
const checkCpu: number[] = [];
/** extra step scales probed per update: relative loss reduction of M − s·Δ on the round's sample */
const PROBES = (args.get('probes') ?? '')
  .split(',')
  .map(Number)
  .filter((x) => x !== 0);
const rows: {
  round: number;
  client: number;
  genre: string;
  accepted: boolean;
  reason: string | null;
  rel: number | null;
  norm: number;
  unpaid: boolean;
  probes: Record<string, number>;
  /** cosine to the mean of the round's other updates, and to the previous global step */
  cosOthers?: number;
  cosPrevGlobal?: number | null;
}[] = [];
const plan = sketchPlan(schema, secret, 65_536);
let prevGlobal: Float32Array | null = null;
const sketches: Float32Array[] = [];
for (let t = 0; t < ROUNDS; t++) {
  const base = modelHash(model, schema);
  judge.beginRound({ round: t, base, model, schema });
  const round = new Round({
    round: t,
    base,
    model,
    schema,
    deadline: Number.MAX_SAFE_INTEGER,
    validator: judge.validator,
  });
  const baseLoss = await judge.baseLoss();
  const reports: ContributionReport[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const data = clientData[c]!;
    const start = (t * STEPS * BATCH) % Math.max(1, data.length - STEPS * BATCH);
    const { delta, numSamples } = await trainer.train(
      model,
      schema,
      data.slice(start, start + STEPS * BATCH),
      { lr: LR },
    );
    const update = { delta, numSamples };
    sketches.push(sketchUpdate(delta, plan));
    const proof = signContribution(
      { round: t, base, deltaHash: modelHash(delta, schema), numSamples, nonce: BigInt(t + 1) },
      keys[c]!,
      'ailo-measure',
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const report = await judge.submit(round, { update, round: t, base, proof }, { ip: `10.0.${c}.1` });
    checkTimes.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    checkCpu.push((cpu.user + cpu.system) / 1000);
    reports.push(report);
    const v = report.checks.find((x) => x.check === 'validation')?.value as {
      relativeReduction: number;
    } | null;
    const n = report.checks.find((x) => x.check === 'norm')?.value as { norm: number } | null;
    const probes: Record<string, number> = {};
    const sample = validationSample(pool, secret, t, judge.config.validation.sequences);
    for (const s of PROBES) {
      probes[s] = (baseLoss - (await inner.loss(applyDelta(model, delta, schema, s), sample))) / baseLoss;
    }
    rows.push({
      round: t,
      client: c,
      genre: genres[c % genres.length]!,
      accepted: report.accepted,
      reason: report.reason,
      rel: v?.relativeReduction ?? null,
      norm: n?.norm ?? 0,
      unpaid: report.accepted && report.rewardWithheld !== null,
      probes,
    });
  }
  const result = round.close();
  const settlement = judge.settle(result);
  const mine = rows.filter((r) => r.round === t);
  const sum = new Float64Array(plan.size);
  for (const sk of sketches) for (let i = 0; i < sum.length; i++) sum[i]! += sk[i]!;
  mine.forEach((r, k) => {
    const others = Float32Array.from(sum, (x, i) => x - sketches[k]![i]!);
    r.cosOthers = cosine(sketches[k]!, others);
    r.cosPrevGlobal = prevGlobal ? cosine(sketches[k]!, prevGlobal) : null;
  });
  console.log(`  cos to others: ${mine.map((r) => r.cosOthers!.toFixed(2)).join(' ')}`);
  if (prevGlobal)
    console.log(`  cos to previous step: ${mine.map((r) => r.cosPrevGlobal!.toFixed(2)).join(' ')}`);
  if (result.status === 'aggregated') prevGlobal = sketchUpdate(result.delta, plan);
  sketches.length = 0;
  const newLoss = await inner.loss(result.model, pool.slice(0, 32));
  const oldLoss = await inner.loss(model, pool.slice(0, 32));
  const rejected = reports.filter((r) => !r.accepted);
  console.log(
    `round ${t}: base loss ${baseLoss.toFixed(4)} on the round sample; aggregate ${oldLoss.toFixed(4)} → ${newLoss.toFixed(4)} on 32 pool sequences; ` +
      `rejected ${rejected.length}/${CLIENTS} (${rejected.map((r) => r.reason).join(', ') || '-'}), minted ${settlement.lines.reduce((a, l) => a + l.total, 0n)} units`,
  );
  console.log(
    `  relative reductions %: ${rows
      .filter((r) => r.round === t)
      .map((r) => (r.rel === null ? r.reason : (r.rel * 100).toFixed(2)))
      .join(' ')}`,
  );
  for (const s of PROBES) {
    const at = rows.filter((r) => r.round === t).map((r) => ((r.probes[s] ?? 0) * 100).toFixed(2));
    console.log(`  at step ${s}: ${at.join(' ')}`);
  }
  model = result.model as Map<string, Float32Array>;
}

const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const rejected = rows.filter((r) => !r.accepted);
const summary = {
  params,
  validationTokens: `${judge.config.validation.sequences} x ${SEQ}`,
  checkMsMedian: med(checkTimes),
  checkMsMin: Math.min(...checkTimes),
  checkCpuMsMedian: med(checkCpu),
  loadAverage: (await import('node:os')).loadavg()[0],
  evalMsMedian: med(evalTimes),
  honestUpdates: rows.length,
  rejected: rejected.length,
  falseRejectionRate: rejected.length / rows.length,
  unpaid: rows.filter((r) => r.unpaid).length,
  reasons: rejected.map((r) => `${r.reason} (round ${r.round}, ${r.genre})`),
  evaluatorMsMedian: { chain: med(evaluatorCost.chain!), training: med(evaluatorCost.training!) },
};
console.log(JSON.stringify(summary, null, 2));
if (args.get('json')) writeFileSync(args.get('json')!, JSON.stringify({ summary, rows }, null, 2));
await trainer.dispose();
