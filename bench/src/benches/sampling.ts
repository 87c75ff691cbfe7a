import { type SamplingOptions, sampleToken, seededRandom } from '@ailo/pipeline';
import { referenceSample } from '../../../packages/pipeline/test/referenceSampler';
import { meanMs } from '../harness';
import type { BenchModule, Figure } from '../types';

/** Vocabulary sizes of GPT-2 and Qwen2. */
const VOCABS = [50257, 151936];
const CASES: Array<{ label: string; options: SamplingOptions }> = [
  { label: 'temperature 1', options: {} },
  { label: 'temperature 0.8, top-p 0.9', options: { temperature: 0.8, topP: 0.9 } },
  { label: 'temperature 0.7, top-k 40', options: { temperature: 0.7, topK: 40 } },
  { label: 'greedy', options: { greedy: true } },
];

/** One row of logits spread like a language model's: a few strong candidates over a long tail. */
function logitsRow(V: number): Float32Array {
  const r = seededRandom(V);
  return Float32Array.from({ length: V }, () => {
    const u = r();
    return u < 0.001 ? 8 + 4 * r() : -2 + 6 * (r() - 0.5);
  });
}

const bench: BenchModule = {
  name: 'sampling',
  description:
    'drawing one token from a row of logits (the requester side of every generated token) vs a sampler that ranks the vocabulary by sorting',
  async run(ctx) {
    const reps = ctx.smoke ? 1 : 5;
    const timeMs = ctx.smoke ? 20 : 300;
    const figures: Figure[] = [];
    // smoke: a small vocabulary, since tinybench runs a minimum number of iterations of the slow peer
    for (const V of ctx.smoke ? [4096] : VOCABS) {
      const logits = logitsRow(V);
      const history = Array.from({ length: 64 }, (_, i) => (i * 7919) % V);
      for (const { label, options } of CASES) {
        const ours: number[] = [];
        const peer: number[] = [];
        const a = seededRandom(1);
        const b = seededRandom(1);
        let sink = 0;
        for (let r = 0; r < reps; r++) {
          const p = await meanMs(
            { peer: () => (sink += referenceSample(logits, options, history, b)) },
            timeMs,
          );
          const o = await meanMs({ ours: () => (sink += sampleToken(logits, options, history, a)) }, timeMs);
          ours.push(o.ours!);
          peer.push(p.peer!);
        }
        if (sink < 0) throw new Error('unreachable');
        ctx.log(`V ${V}, ${label}: ${ours[0]!.toFixed(3)} ms vs ${peer[0]!.toFixed(3)} ms sorting`);
        figures.push({
          name: `sample one token, V = ${V}, ${label}`,
          unit: 'ms',
          higherIsBetter: false,
          samples: ours,
          peer: { name: 'rank by a stable sort of the vocabulary (test reference)', samples: peer },
          ...(options.greedy ? {} : { goal: '>= 10x faster than peer', goalRatio: 10 }),
        });
      }
    }
    return figures;
  },
};

export default bench;
