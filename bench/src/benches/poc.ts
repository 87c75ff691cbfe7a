import { modelHash, Round, SeededRng } from '@ailo/fedavg';
import { keyPairFromSecretKey } from '@ailo/ledger';
import { parseHfConfig, StageChain, type Weight } from '@ailo/pipeline';
import { createNodeBackend } from '@ailo/pipeline/node';
import { ContributionJudge, createTrainingLossEvaluator, nextTokenLoss, signContribution } from '@ailo/poc';
import { modelTensors } from '@ailo/virtual-tensor';
import type { BenchModule, Figure } from '../types';

/** The demo-sized model: GPT-2, 4 layers, d 128, vocab 50257; validation 8 × 64 tokens. */
const HF = { model_type: 'gpt2', n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128, vocab_size: 50257 };
const BATCH = 8;
const SEQ = 64;

const bench: BenchModule = {
  name: 'poc',
  description:
    'Proof-of-Contribution: full check of one update (signature, replay, norm, copy sketch, held-out loss) vs one plain loss evaluation',
  async run(ctx) {
    const reps = ctx.smoke ? 1 : 5;
    // smoke: the same code on a small vocabulary, so the bench cannot rot without costing CI time
    const hf = ctx.smoke ? { ...HF, vocab_size: 2048 } : HF;
    const config = parseHfConfig(hf);
    const rng = new SeededRng(1);
    const schema = new Map<string, number[]>();
    const model = new Map<string, Float32Array>();
    for (const t of modelTensors(config)) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const x = new Float32Array(n);
      if (t.shape.length === 1 && /(ln_\d|ln_f)\.weight$/.test(t.name)) x.fill(1);
      else if (t.shape.length > 1) for (let i = 0; i < n; i++) x[i] = 0.02 * rng.nextGaussian();
      schema.set(t.name, [...t.shape]);
      model.set(t.name, x);
    }
    const pool = Array.from({ length: BATCH }, () =>
      Array.from({ length: SEQ }, () => rng.nextUint32() % hf.vocab_size),
    );
    const backend = createNodeBackend('cpu');
    const judge = new ContributionJudge({
      chainId: 'ailo-bench',
      secret: new TextEncoder().encode('benchmark secret (not for production)'),
      evaluator: createTrainingLossEvaluator({ config, schema, backend }),
      validationPool: pool,
      config: { validation: { sequences: BATCH } },
    });
    const base = modelHash(model, schema);
    judge.beginRound({ round: 0, base, model, schema });
    const round = new Round({
      round: 0,
      base,
      model,
      schema,
      deadline: Number.MAX_SAFE_INTEGER,
      validator: judge.validator,
    });
    await judge.baseLoss();
    const common = new Map([...model].map(([k, v]) => [k, v.map(() => 1e-3 * rng.nextGaussian())]));
    const ours: number[] = [];
    for (let r = 0; r < reps; r++) {
      const key = keyPairFromSecretKey(new Uint8Array(32).fill(r + 1));
      // a shared direction plus the client's own noise, so every update passes (cosine ≈ 0.5)
      const delta = new Map([...common].map(([k, c0]) => [k, c0.map((c) => c + 1e-3 * rng.nextGaussian())]));
      const proof = signContribution(
        { round: 0, base, deltaHash: modelHash(delta, schema), numSamples: 32, nonce: 1n },
        key,
        'ailo-bench',
      );
      const t0 = performance.now();
      const report = await judge.submit(
        round,
        { update: { delta, numSamples: 32 }, round: 0, base, proof },
        { ip: `10.0.0.${r}` },
      );
      ours.push(performance.now() - t0);
      ctx.log(`check ${r}: ${ours[r]!.toFixed(0)} ms, ${report.accepted ? 'accepted' : report.reason}`);
    }
    // peer: the least a coordinator must do to score one update, on an already compiled model
    const weights = new Map<string, Weight>(
      [...model].map(([k, v]) => [k, { shape: schema.get(k)!, data: v }]),
    );
    const chain = await StageChain.create(config, weights, backend);
    const peer: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const logits = await chain.forward('peer', pool);
      nextTokenLoss(logits.data as Float32Array, hf.vocab_size, pool);
      await chain.close('peer');
      peer.push(performance.now() - t0);
    }
    await chain.dispose();
    const figure: Figure = {
      name: `PoC check of one update (GPT-2 4L d128, vocab ${hf.vocab_size}, validation 8 × 64 tokens)`,
      unit: 'ms',
      higherIsBetter: false,
      samples: ours,
      peer: {
        name: 'one forward + host cross-entropy of the same batch on a precompiled model',
        samples: peer,
      },
      goal: '<= 1x peer: the whole check (hash, signature, norm, sketch, held-out loss) costs no more than scoring the batch once with a host cross-entropy',
      goalRatio: 1,
    };
    return [figure];
  },
};

export default bench;
