import { describe, expect, it } from 'vitest';
import { isFedAvgError } from '../src/errors';
import { modelHash } from '../src/modelHash';
import { FedAvgMOptimizer } from '../src/optimizers/FedAvgMOptimizer';
import type { ServerOptimizer } from '../src/optimizers/ServerOptimizer';
import { Round, type RoundOptions, type Submission, type ValidationVerdict } from '../src/Round';
import type { ClientUpdate } from '../src/types';

const schema = new Map<string, number[]>([
  ['w', [2]],
  ['b', [1]],
]);
const model = () =>
  new Map([
    ['w', new Float32Array([1, 1])],
    ['b', new Float32Array([0])],
  ]);
const upd = (w: [number, number], b: number, numSamples: number): ClientUpdate => ({
  numSamples,
  delta: new Map([
    ['w', new Float32Array(w)],
    ['b', new Float32Array([b])],
  ]),
});

function setup(extra: Partial<RoundOptions> = {}) {
  let now = 1000;
  const m = model();
  const round = new Round({ round: 3, model: m, schema, deadline: 2000, clock: () => now, ...extra });
  const sub = (clientId: string, u: ClientUpdate, over: Partial<Submission> = {}): Submission => ({
    clientId,
    round: 3,
    base: round.base,
    update: u,
    ...over,
  });
  return { round, m, sub, setNow: (t: number) => (now = t) };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (!isFedAvgError(e)) throw e;
    return e.code;
  }
}

/** A validator whose verdicts are released by the test. */
function gate() {
  const waiting: ((v: ValidationVerdict) => void)[] = [];
  return {
    validator: () => new Promise<ValidationVerdict>((resolve) => waiting.push(resolve)),
    release: (v: ValidationVerdict = { accept: true }) => waiting.shift()!(v),
    get pending() {
      return waiting.length;
    },
  };
}

describe('Round state machine', () => {
  it('open → collecting → aggregating → closed, applying M − η·Σ(n_k/n)Δ_k once, never touching M_t', async () => {
    const phases: string[] = [];
    const spy: ServerOptimizer = {
      name: 'fedavg',
      serverLr: 1,
      apply(m, _s, d) {
        phases.push(r.phase);
        return new Map([...m].map(([k, x]) => [k, x.map((v, i) => v - d.get(k)![i]!)]));
      },
    };
    const { round: r, m, sub } = setup({ optimizer: spy });
    expect(r.phase).toBe('open');
    expect(r.base).toBe(modelHash(m, schema));
    await r.submit(sub('a', upd([0.5, -1], 8, 2)));
    expect(r.phase).toBe('collecting');
    await r.submit(sub('b', upd([1.5, 1], 0, 1)));
    await r.submit(sub('c', upd([-2, 4], -4, 1)));
    const res = r.close();
    expect(phases).toEqual(['aggregating']);
    expect(r.phase).toBe('closed');
    expect(res.status).toBe('aggregated');
    if (res.status !== 'aggregated') return;
    expect([...res.delta.get('w')!]).toEqual([0.125, 0.75]);
    expect([...res.model.get('w')!]).toEqual([0.875, 0.25]);
    expect([...res.model.get('b')!]).toEqual([-3]);
    expect([...m.get('w')!]).toEqual([1, 1]);
    expect(res.modelHash).toBe(modelHash(res.model, schema));
    expect(res.clients).toBe(3);
    expect(res.numSamples).toBe(4);
    expect(res.closedBy).toBe('manual');
    expect(res.contributions.map((c) => c.clientId)).toEqual(['a', 'b', 'c']);
    expect(r.close()).toBe(res);
  });

  it('closes by itself at maxClients and refuses later submissions', async () => {
    const { round: r, sub } = setup({ maxClients: 2 });
    await r.submit(sub('a', upd([1, 1], 1, 1)));
    await r.submit(sub('b', upd([3, 3], 3, 1)));
    expect(r.phase).toBe('closed');
    expect(r.result?.closedBy).toBe('max-clients');
    expect(await codeOf(r.submit(sub('c', upd([0, 0], 0, 1))))).toBe('ROUND_CLOSED');
  });

  it('closes at the deadline via tick(); stragglers get LATE_SUBMISSION', async () => {
    const { round: r, sub, setNow } = setup();
    await r.submit(sub('a', upd([1, 1], 1, 1)));
    setNow(1999);
    expect(r.tick()).toBeUndefined();
    setNow(2000);
    expect(await codeOf(r.submit(sub('late', upd([1, 1], 1, 1))))).toBe('LATE_SUBMISSION');
    const res = r.tick();
    expect(res?.closedBy).toBe('deadline');
    expect(res?.clients).toBe(1);
    setNow(5000);
    expect(await codeOf(r.submit(sub('later', upd([1, 1], 1, 1))))).toBe('LATE_SUBMISSION');
  });

  it('an empty round at the deadline closes with no change and says why', () => {
    const { round: r, m, setNow } = setup();
    setNow(2500);
    const res = r.tick()!;
    expect(res.status).toBe('unchanged');
    if (res.status !== 'unchanged') return;
    expect(res.reason).toBe('no-updates');
    expect(res.message).toMatch(/no accepted update/);
    expect(res.model).toBe(m);
    expect(res.modelHash).toBe(r.base);
  });

  it('fewer than minClients leaves the model unchanged', async () => {
    const { round: r, m, sub } = setup({ minClients: 3 });
    await r.submit(sub('a', upd([1, 1], 1, 1)));
    const res = r.close();
    expect(res.status === 'unchanged' && res.reason).toBe('too-few-clients');
    expect(res.model).toBe(m);
  });

  it('a failing rule (Krum with too few updates) leaves the model unchanged with the error', async () => {
    const { round: r, m, sub } = setup({ aggregation: { rule: 'krum', byzantine: 1, maxClients: 10 } });
    for (const id of ['a', 'b', 'c']) await r.submit(sub(id, upd([1, 1], 1, 1)));
    const res = r.close();
    expect(res.status === 'unchanged' && res.reason).toBe('aggregation-failed');
    expect(res.status === 'unchanged' && res.error?.code).toBe('NOT_ENOUGH_CLIENTS');
    expect(res.model).toBe(m);
  });

  it('reports which clients Krum selected', async () => {
    const { round: r, sub } = setup({ aggregation: { rule: 'krum', byzantine: 1, maxClients: 5 } });
    const xs = [0, 1, 2.5, 3, 100];
    for (const [i, x] of xs.entries()) await r.submit(sub(`c${i}`, upd([x, x], x, 1)));
    const res = r.result!;
    expect(res.status === 'aggregated' && res.selected).toEqual(['c2']);
  });

  it('duplicates: identical resubmission is idempotent, a different one is refused', async () => {
    const { round: r, sub } = setup();
    const first = await r.submit(sub('a', upd([1, 2], 3, 5)));
    const again = await r.submit(sub('a', upd([1, 2], 3, 5)));
    expect(again).toEqual({ ...first, resubmitted: true });
    expect(await codeOf(r.submit(sub('a', upd([1, 2], 3.5, 5))))).toBe('DUPLICATE_SUBMISSION');
    expect(await codeOf(r.submit(sub('a', upd([1, 2], 3, 6))))).toBe('DUPLICATE_SUBMISSION');
    expect(await codeOf(r.submit(sub('a', { numSamples: 5, delta: new Map() })))).toBe(
      'DUPLICATE_SUBMISSION',
    );
    expect(r.acceptedCount).toBe(1);
    const res = r.close();
    expect(res.numSamples).toBe(5);
    // after close the identical update still gets its receipt
    expect((await r.submit(sub('a', upd([1, 2], 3, 5)))).resubmitted).toBe(true);
  });

  it('checks round number and base hash on every update', async () => {
    const { round: r, sub } = setup();
    expect(await codeOf(r.submit(sub('a', upd([1, 1], 1, 1), { round: 2 })))).toBe('WRONG_ROUND');
    expect(await codeOf(r.submit(sub('a', upd([1, 1], 1, 1), { base: '0'.repeat(64) })))).toBe('WRONG_BASE');
    expect(await codeOf(r.submit(sub('a', upd([Number.NaN, 1], 1, 1))))).toBe('NON_FINITE');
    expect(await codeOf(r.submit(sub('a', upd([1, 1], 1, 0))))).toBe('INVALID_NUM_SAMPLES');
    expect(r.acceptedCount).toBe(0);
    expect(r.phase).toBe('open');
    await r.submit(sub('a', upd([1, 1], 1, 1)));
    expect(r.acceptedCount).toBe(1);
  });

  it('validator hook: scores are kept, rejections and failures are typed and not counted', async () => {
    const seen: unknown[] = [];
    const {
      round: r,
      m,
      sub,
    } = setup({
      validator: (u, ctx) => {
        seen.push({ ...ctx, model: ctx.model === m, schema: ctx.schema === schema });
        const w = u.delta.get('w')![0]!;
        if (w > 100) return { accept: false, reason: 'loss went up' };
        if (w < -100) throw new Error('held-out data unavailable');
        if (w === 42) return { accept: true, score: Number.NaN };
        if (w === 43) return 'yes' as never;
        return { accept: true, score: w / 10 };
      },
    });
    const rec = await r.submit(sub('a', upd([3, 4], 0, 7)));
    expect(rec.score).toBe(0.3);
    expect(seen[0]).toMatchObject({
      round: 3,
      base: r.base,
      clientId: 'a',
      numSamples: 7,
      norm: 5,
      accepted: 0,
      model: true,
      schema: true,
    });
    let err: unknown;
    try {
      await r.submit(sub('b', upd([1000, 0], 0, 1)));
    } catch (e) {
      err = e;
    }
    expect(isFedAvgError(err, 'REJECTED_BY_VALIDATOR') && err.meta?.['reason']).toBe('loss went up');
    expect(await codeOf(r.submit(sub('c', upd([-1000, 0], 0, 1))))).toBe('VALIDATOR_FAILED');
    expect(await codeOf(r.submit(sub('d', upd([42, 0], 0, 1))))).toBe('VALIDATOR_FAILED');
    expect(await codeOf(r.submit(sub('e', upd([43, 0], 0, 1))))).toBe('VALIDATOR_FAILED');
    // a rejected client may submit again
    await r.submit(sub('b', upd([1, 0], 0, 1)));
    const res = r.close();
    expect(res.contributions.map((c) => [c.clientId, c.score])).toEqual([
      ['a', 0.3],
      ['b', 0.1],
    ]);
  });

  it('async validation: resubmission joins the in-flight one; updates still validating at close are refused', async () => {
    const g = gate();
    const { round: r, sub, setNow } = setup({ validator: g.validator });
    const p1 = r.submit(sub('a', upd([1, 1], 1, 1)));
    const p1again = r.submit(sub('a', upd([1, 1], 1, 1)));
    expect(await codeOf(r.submit(sub('a', upd([2, 1], 1, 1))))).toBe('DUPLICATE_SUBMISSION');
    await Promise.resolve();
    g.release();
    const [a, b] = await Promise.all([p1, p1again]);
    expect(b).toEqual({ ...a, resubmitted: true });
    const slow = r.submit(sub('slow', upd([9, 9], 9, 1)));
    await Promise.resolve();
    setNow(2000);
    const res = r.tick()!;
    g.release();
    expect(await codeOf(slow)).toBe('LATE_SUBMISSION');
    expect(res.clients).toBe(1);
    expect(r.result?.clients).toBe(1);
  });

  it('FedAvgM momentum carries across rounds through a shared optimizer', async () => {
    const opt = new FedAvgMOptimizer({ momentum: 0.5 });
    let m: Map<string, Float32Array> = model();
    for (let t = 0; t < 2; t++) {
      const r = new Round({ round: t, model: m, schema, deadline: 10, clock: () => 0, optimizer: opt });
      await r.submit({ clientId: 'a', round: t, base: r.base, update: upd([0.5, 0.5], 0, 1) });
      const res = r.close();
      if (res.status !== 'aggregated') throw new Error('expected aggregation');
      m = res.model;
    }
    // v1 = 0.5, M1 = 0.5; v2 = 0.25 + 0.5 = 0.75, M2 = −0.25
    expect([...m.get('w')!]).toEqual([-0.25, -0.25]);
  });

  it('rejects invalid options', () => {
    const base = { round: 0, model: model(), schema, deadline: 10 };
    const bad: Partial<RoundOptions>[] = [
      { round: -1 },
      { round: 1.5 },
      { minClients: 0 },
      { minClients: 5, maxClients: 2 },
      { maxClients: 20, aggregation: { rule: 'median', maxClients: 10 } },
      { base: 'not-a-hash' },
      { deadline: Number.NaN },
    ];
    for (const o of bad) {
      expect(() => new Round({ ...base, ...o })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
    expect(() => new Round({ ...base, model: new Map([['w', new Float32Array(2)]]) })).toThrow(
      expect.objectContaining({ code: 'NAME_MISMATCH' }),
    );
  });
});
