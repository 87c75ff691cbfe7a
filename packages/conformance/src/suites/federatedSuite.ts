import { createIdentity, type Envelope, ProtocolError, tensor } from '@ailo/protocol';
import { ConformanceError, expectThat } from '../errors';
import type { ConformanceCase, ConformanceContext, ConformanceSuite } from '../types';
import { type ClientSession, openSession, withSession } from '../wire/clientSession';
import { expectErrorCode } from '../wire/expectError';

/** A schema-valid `update.submit` body (protocol.md §9.3) for `round`, signed by nobody in particular. */
function submission(s: ClientSession, round: number, baseHash: Uint8Array, taskId: string) {
  return {
    round,
    taskId,
    baseHash,
    updateHash: new Uint8Array(32).fill(7),
    samples: 8,
    nonce: new Uint8Array(16),
    pubkey: s.identity.publicKey,
    sig: new Uint8Array(64).fill(3),
    delta: { 'conformance.delta': tensor('f32', [2], new Float32Array([0.5, -0.5])) },
  };
}

/** Raises `not_exposed` when the target has no federated training over the wire. */
function requireTraining(r: Envelope): void {
  if (r.t === 'error' && r.body.code === 'unsupported')
    throw new ConformanceError('not_exposed', 'the target does not accept update.submit');
}

/** A trainer connection that joined and received a round task; shared by the open-round cases. */
interface TrainerState {
  session?: ClientSession;
  task?: { round: number; taskId: string; baseHash: Uint8Array };
}

async function joinAsTrainer(ctx: ConformanceContext, state: TrainerState): Promise<void> {
  const s = await openSession(ctx, { roles: ['trainer'] });
  state.session = s;
  // a reference coordinator may try to assign us a span: we decline, we only train
  s.conn.responders.set('node.assign', () => {
    throw new ProtocolError('unavailable', 'this client serves no layers');
  });
  const join = await s.conn.request('node.join', {}, ctx.waitMs);
  if (join.t === 'error' && join.body.code === 'unsupported')
    throw new ConformanceError('not_exposed', 'the target has no node.join (node-extensions.md §1)');
  expectThat(join.t === 'ok', `node.join answered with ${join.t}`);
  let task: Envelope;
  try {
    task = await s.conn.next((e) => e.t === 'round.task', ctx.waitMs * 3, 'round.task');
  } catch (e) {
    throw new ConformanceError('not_exposed', 'no round opened for a joining trainer', { cause: e });
  }
  const b = task.body as { round: number; taskId: string; baseHash: Uint8Array; deadline: number };
  expectThat(
    b.baseHash instanceof Uint8Array && b.baseHash.length === 32,
    'round.task.baseHash is not 32 bytes',
  );
  expectThat(
    typeof b.deadline === 'number' && b.deadline > Date.now() - 60_000,
    'round.task.deadline is in the past',
  );
  state.task = { round: b.round, taskId: b.taskId, baseHash: b.baseHash };
}

function openRound(state: TrainerState): { s: ClientSession; task: NonNullable<TrainerState['task']> } {
  if (!state.session || !state.task)
    throw new ConformanceError('not_exposed', 'no open round (fl.round-task did not get one)');
  return { s: state.session, task: state.task };
}

/**
 * Federated submissions (fl.md §5, protocol.md §9.3). A round must be open
 * for the last cases: a reference coordinator opens one when a trainer joins
 * if it runs with `--rounds N --min-trainers 1`. Role coordinator.
 */
export function federatedSuite(): ConformanceSuite {
  const state: TrainerState = {};
  const cases: ConformanceCase[] = [
    {
      id: 'fl.closed-round',
      clause: 'fl.md §5',
      title: 'an update for a round that is not open is refused with conflict',
      run: (ctx) =>
        withSession(ctx, async (s) => {
          const r = await s.conn.request(
            'update.submit',
            submission(s, 0xffff_fff0, new Uint8Array(32), 'x'),
            ctx.waitMs,
          );
          requireTraining(r);
          expectErrorCode(r, ['conflict'], 'update.submit for a closed round');
        }),
    },
    {
      id: 'fl.round-task',
      clause: 'fl.md §5',
      title: 'a joining trainer receives round.task with a 32-byte baseHash and a future deadline',
      run: (ctx) => joinAsTrainer(ctx, state),
    },
    {
      id: 'fl.foreign-key',
      clause: 'fl.md §5',
      title: 'an update signed for another key than the connection’s is refused with unauthorized',
      async run(ctx) {
        const { s, task } = openRound(state);
        const body = {
          ...submission(s, task.round, task.baseHash, task.taskId),
          pubkey: createIdentity().publicKey,
        };
        expectErrorCode(
          await s.conn.request('update.submit', body, ctx.waitMs),
          ['unauthorized'],
          'a foreign key',
        );
      },
    },
    {
      id: 'fl.bad-signature',
      clause: 'fl.md §5',
      title:
        'an update whose signature does not verify is rejected (bad_request or bad_signature), connection kept',
      async run(ctx) {
        const { s, task } = openRound(state);
        try {
          const body = submission(s, task.round, task.baseHash, task.taskId);
          const r = await s.conn.request('update.submit', body, ctx.waitMs * 4);
          expectErrorCode(r, ['bad_request', 'bad_signature'], 'a badly signed update');
          const pong = await s.conn.request('ping', { ts: 1 }, ctx.waitMs);
          expectThat(pong.t === 'pong', 'the connection stopped working after a rejected update');
        } finally {
          await s.conn.close();
        }
      },
    },
  ];
  return { name: 'federated', cases };
}
