import { formatAlc } from '@ailo/ledger';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FederatedRun, runFederatedRound } from '../src/main';

let run: FederatedRun;
let printed = '';

beforeAll(async () => {
  run = await runFederatedRound({ write: (s) => void (printed += s) });
}, 120_000);

const byName = (name: string) => run.submitted.find((s) => s.participant.name === name)!;
const honest = () => run.submitted.filter((s) => s.participant.behaviour === 'honest');

describe('examples/federated-round', () => {
  it('accepts the four honest Brown-corpus clients and rejects the attacker and the copier', () => {
    for (const s of honest()) {
      expect(s.report.accepted, s.participant.name).toBe(true);
      expect(s.report.lossBonus).toBeGreaterThan(0);
      expect(s.local!.lastLoss).toBeLessThan(s.local!.firstLoss);
    }
    expect(byName('mallory').report).toMatchObject({ accepted: false, reason: 'norm_too_large' });
    expect(byName('copycat').report).toMatchObject({ accepted: false, reason: 'copied_update' });
    for (const s of run.submitted) {
      const line = s.report.accepted
        ? `accepted  n_k ${s.report.numSamples}`
        : `rejected  ${s.report.reason}`;
      expect(printed).toMatch(new RegExp(`${s.participant.name} +.*${line}`));
    }
  });

  it('the new model is plain FedAvg of the accepted updates and lowers the held-out loss', () => {
    expect(run.result.status).toBe('aggregated');
    expect(run.result.clients).toBe(4);
    const updates = honest().map((s) => s.local!);
    const n = updates.reduce((a, u) => a + u.numSamples, 0);
    expect(run.result.numSamples).toBe(n);
    // M_1 = M_0 − Σ_k (n_k / n) Δ_k, recomputed with a straightforward float64 loop
    let worst = 0;
    for (const [name, m0] of run.model.tensors) {
      const m1 = run.result.model.get(name)!;
      for (let i = 0; i < m1.length; i++) {
        let step = 0;
        for (const u of updates) step += (u.numSamples / n) * u.delta.get(name)![i]!;
        worst = Math.max(worst, Math.abs(m1[i]! - (m0[i]! - step)));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    expect(run.lossAfter).toBeLessThan(run.lossBefore);
    expect(printed).toContain(`held-out loss ${run.lossBefore.toFixed(3)} → ${run.lossAfter.toFixed(3)}`);
  });

  it('pays BaseRate × n_k × (1 + LossBonus) (+ fast bonus) as MINTs that a second node verifies', () => {
    expect(run.ledger.report.ok).toBe(true);
    expect(run.ledger.block.header.height).toBe(1);
    let total = 0n;
    for (const s of run.submitted) {
      const address = s.participant.key.address;
      if (!s.report.accepted) {
        expect(run.ledger.balanceOf(address)).toBe(0n);
        continue;
      }
      // 0.0025 ALC = 250 000 base units per sample; LossBonus in basis points, floored
      const bps = BigInt(Math.floor(s.report.lossBonus * 10_000));
      expect(s.report.reward.training).toBe(
        (250_000n * BigInt(s.report.numSamples) * (10_000n + bps)) / 10_000n,
      );
      expect([0n, 5_000_000n]).toContain(s.report.reward.fastBonus);
      expect(run.ledger.balanceOf(address)).toBe(s.report.reward.total);
      expect(printed).toMatch(
        new RegExp(`  ${s.participant.name} +${formatAlc(s.report.reward.total).replace('.', '\\.')} ALC`),
      );
      total += s.report.reward.total;
    }
    const mints = run.ledger.transactions;
    expect(mints.every((t) => t.tx.type === 'MINT')).toBe(true);
    expect(new Set(mints.map((t) => t.tx.reason))).toContain('training');
    expect(mints.reduce((a, t) => a + t.tx.amount, 0n)).toBe(total);
    expect(run.ledger.report.minted).toBe(total);
  });
});
