import {
  createChallenge,
  DEFAULT_LIMITS,
  type Envelope,
  type Hello,
  ProtocolError,
  peerIdOf,
  tensor,
  verifyHello,
} from '@ailo/protocol';
import { LOGITS_TOLERANCE } from '../constants';
import { ConformanceError, expectThat, violation } from '../errors';
import type { ConformanceCase, ConformanceContext, ConformanceSuite, ReferenceLogits } from '../types';
import { expectErrorCode } from '../wire/expectError';
import { WireConnection } from '../wire/WireConnection';

/** serverId this suite presents to the worker under test */
const SERVER_ID = 'ailo-conformance';
/** how long a worker may take to load its span after node.assign. ms */
const LOAD_WAIT_FACTOR = 6;

interface ServedModel {
  id: string;
  version: string;
  manifestUrl: string;
  architecture: string;
  numLayers: number;
  vocabSize: number;
}

interface WorkerState {
  conn?: WireConnection;
  model?: ServedModel;
  session: number;
}

/** Finds the model files the worker should load: the first model `ctx.http`'s `/health` lists (or the one the worker asked for). */
async function locateModel(ctx: ConformanceContext, wanted: string | undefined): Promise<ServedModel> {
  if (!ctx.http)
    throw new ConformanceError('bad_options', 'role worker needs --http: where the model files are served');
  const health = (await (await ctx.fetch(`${ctx.http}/health`)).json()) as {
    models?: { id: string; version: string }[];
  };
  const m = health.models?.find((x) => wanted === undefined || x.id === wanted);
  if (!m) throw new ConformanceError('bad_options', `${ctx.http}/health lists no model ${wanted ?? ''}`);
  const manifestUrl = `${ctx.http}/models/${encodeURIComponent(m.id)}/${m.version}/manifest.json`;
  const manifest = (await (await ctx.fetch(manifestUrl)).json()) as {
    model: { architecture: string; numLayers: number; vocabSize: number };
  };
  return { id: m.id, version: m.version, manifestUrl, ...manifest.model };
}

function served(state: WorkerState): { conn: WireConnection; model: ServedModel } {
  if (!state.conn || !state.model || !state.conn.isOpen)
    throw new ConformanceError('not_exposed', 'no worker is serving (stage.join-assign did not complete)');
  return { conn: state.conn, model: state.model };
}

function reference(ctx: ConformanceContext, model: ServedModel): ReferenceLogits {
  const r = ctx.referenceLogits?.[model.architecture];
  if (!r)
    throw new ConformanceError(
      'not_exposed',
      `no reference logits for ${model.architecture} (pass --fixtures)`,
    );
  return r;
}

function ids(tokens: readonly number[]) {
  return tensor('i64', [1, tokens.length], BigInt64Array.from(tokens.map(BigInt)));
}

/** a node id that is not ours: the upstream of a session we must not feed, or an unreachable next node */
const OTHER_NODE = 'ab'.repeat(32);

/**
 * Opens a session for the whole model; returns its id. With `chain`, the session
 * takes chained steps (`chain.open`, pipeline-stage.md §6) from `chain.upstream`
 * (absent: from us); workers without the extension answer `unsupported`, and the
 * case is skipped.
 */
async function open(
  conn: WireConnection,
  model: ServedModel,
  state: WorkerState,
  waitMs: number,
  chain?: { upstream?: string },
): Promise<string> {
  state.session += 1;
  const type = chain ? 'chain.open' : 'infer.open';
  const session = `conformance-${chain ? 'chain-' : ''}${state.session}`;
  const r = await conn.request(
    type,
    {
      session,
      span: { model: model.id, start: 0, end: model.numLayers },
      maxContext: 16,
      ...(chain?.upstream ? { upstream: chain.upstream } : {}),
    },
    waitMs,
  );
  if (chain && r.t === 'error' && r.body.code === 'unsupported')
    throw new ConformanceError(
      'not_exposed',
      'the worker does not take chained steps (chain.open: unsupported)',
    );
  expectThat(r.t === 'ok', `${type} answered with ${r.t}`, JSON.stringify(r.body));
  return session;
}

/**
 * Sends the first chained step of `session` (`tokens` at position 0) and
 * resolves with the worker's report: `chain.result` or `chain.error`.
 */
function chainStep(
  conn: WireConnection,
  session: string,
  tokens: number[],
  next: { node: string; url: string }[],
  waitMs: number,
): Promise<Envelope> {
  conn.send('chain.step', { session, step: 0, position: 0, input: ids(tokens), next });
  return conn.next(
    (e) =>
      (e.t === 'chain.result' || e.t === 'chain.error') && e.body.session === session && e.body.step === 0,
    waitMs,
    `chain.result or chain.error for step 0 of ${session}`,
  );
}

async function forward(
  conn: WireConnection,
  session: string,
  step: number,
  position: number,
  tokens: number[],
  waitMs: number,
  logitsFrom?: number,
): Promise<Envelope> {
  return conn.request(
    'infer.forward',
    { session, step, position, input: ids(tokens), ...(logitsFrom !== undefined ? { logitsFrom } : {}) },
    waitMs,
  );
}

/** Compares logits rows `[rows, vocab]` with the reference rows `from…`. */
function compareLogits(reply: Envelope, ref: number[][], from: number, rows: number, vocab: number): void {
  expectThat(
    reply.t === 'infer.result',
    `infer.forward answered with ${reply.t}`,
    JSON.stringify(reply.body.message),
  );
  const out = reply.body.output as { dtype: string; shape: number[]; data: Float32Array };
  expectThat(out.dtype === 'f32', `logits are ${out.dtype}, expected f32`);
  expectThat(
    out.shape.length === 3 && out.shape[0] === 1 && out.shape[1] === rows && out.shape[2] === vocab,
    `logits shape [${out.shape}] is not [1, ${rows}, ${vocab}]`,
  );
  let worst = 0;
  for (let r = 0; r < rows; r++)
    for (let v = 0; v < vocab; v++)
      worst = Math.max(worst, Math.abs(out.data[r * vocab + v]! - ref[from + r]![v]!));
  expectThat(
    worst <= LOGITS_TOLERANCE,
    `logits differ from the reference by ${worst.toExponential(2)} (> ${LOGITS_TOLERANCE})`,
  );
}

/**
 * A worker under test, driven by us acting as its coordinator (the wire gives
 * a worker no listening socket, so this is the only way to reach a stage):
 * handshake, `node.join`/`node.assign` (node-extensions.md), then `infer.*`
 * against the fixture models' reference logits (pipeline-stage.md). Role worker.
 */
export function stageSuite(): ConformanceSuite {
  const state: WorkerState = { session: 0 };
  const cases: ConformanceCase[] = [
    {
      id: 'stage.handshake',
      clause: 'protocol.md §6.2',
      title: 'the worker answers our challenge with a hello that verifies, version 1',
      async run(ctx) {
        if (!ctx.acceptWorker)
          throw new ConformanceError('bad_options', 'role worker needs a listening socket');
        const conn = new WireConnection(await ctx.acceptWorker());
        state.conn = conn;
        const challenge = createChallenge(SERVER_ID);
        conn.send('challenge', challenge as unknown as Record<string, unknown>);
        const hello = await conn.next((e) => e.t === 'hello', ctx.waitMs, 'hello');
        let peerId: string;
        try {
          peerId = verifyHello(hello.body as unknown as Hello, challenge).peerId;
        } catch (e) {
          const err = ProtocolError.from(e);
          conn.send('error', err.toBody(), { re: hello.id });
          throw violation(`the worker's hello is invalid: ${err.code}`, err.shortMessage);
        }
        expectThat(peerId === peerIdOf(hello.body.pubkey as Uint8Array), 'peer id mismatch');
        conn.send(
          'welcome',
          { serverId: SERVER_ID, peerId, heartbeatMs: 15_000, limits: { ...DEFAULT_LIMITS } },
          { re: hello.id },
        );
      },
    },
    {
      id: 'stage.join-assign',
      clause: 'node-extensions.md §2',
      title: 'the worker asks to serve (node.join) and acknowledges node.assign once its span is loaded',
      async run(ctx) {
        const conn = state.conn;
        if (!conn) throw new ConformanceError('not_exposed', 'no worker connected');
        const join = await conn.next((e) => e.t === 'node.join', ctx.waitMs * 2, 'node.join');
        conn.send('ok', {}, { re: join.id });
        const model = await locateModel(ctx, join.body.model as string | undefined);
        const r = await conn.request(
          'node.assign',
          {
            model: model.id,
            version: model.version,
            start: 0,
            end: model.numLayers,
            manifestUrl: model.manifestUrl,
          },
          ctx.waitMs * LOAD_WAIT_FACTOR,
        );
        expectThat(r.t === 'ok', `node.assign answered with ${r.t}`, JSON.stringify(r.body));
        state.model = model;
      },
    },
    {
      id: 'stage.prefill',
      clause: 'pipeline-stage.md §4',
      title: 'a 16-token prefill of the whole model returns the fixture logits within 1e-4',
      async run(ctx) {
        const { conn, model } = served(state);
        const ref = reference(ctx, model);
        const session = await open(conn, model, state, ctx.waitMs);
        const reply = await forward(conn, session, 0, 0, ref.sequences[0]!, ctx.waitMs);
        compareLogits(reply, ref.logits[0]!, 0, 16, model.vocabSize);
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.logits-from',
      clause: 'protocol.md §9.2',
      title:
        'a 16-token prefill with logitsFrom 15 returns the fixture logits of the last token (or of all 16, which a stage may)',
      async run(ctx) {
        const { conn, model } = served(state);
        const ref = reference(ctx, model);
        const session = await open(conn, model, state, ctx.waitMs);
        const reply = await forward(conn, session, 0, 0, ref.sequences[0]!, ctx.waitMs, 15);
        const rows = (reply.body.output as { shape?: number[] } | undefined)?.shape?.[1];
        if (rows === 16) compareLogits(reply, ref.logits[0]!, 0, 16, model.vocabSize);
        else compareLogits(reply, ref.logits[0]!, 15, 1, model.vocabSize);
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.decode-step',
      clause: 'pipeline-stage.md §3',
      title: 'prefill 15 tokens then decode 1 with the KV cache: both match the fixture logits',
      async run(ctx) {
        const { conn, model } = served(state);
        const ref = reference(ctx, model);
        const seq = ref.sequences[1]!;
        const session = await open(conn, model, state, ctx.waitMs);
        compareLogits(
          await forward(conn, session, 0, 0, seq.slice(0, 15), ctx.waitMs),
          ref.logits[1]!,
          0,
          15,
          model.vocabSize,
        );
        compareLogits(
          await forward(conn, session, 1, 15, seq.slice(15, 16), ctx.waitMs),
          ref.logits[1]!,
          15,
          1,
          model.vocabSize,
        );
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.wrong-past',
      clause: 'pipeline-stage.md §3',
      title: 'a forward whose position is not the cached length fails and never computes',
      async run(ctx) {
        const { conn, model } = served(state);
        const session = await open(conn, model, state, ctx.waitMs);
        const first = await forward(conn, session, 0, 0, [1, 2, 3], ctx.waitMs);
        expectThat(first.t === 'infer.result', `prefill answered with ${first.t}`);
        const r = await forward(conn, session, 1, 7, [4], ctx.waitMs);
        expectErrorCode(r, ['not_found'], 'position 7 on a 3-token cache');
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.token-out-of-range',
      clause: 'pipeline-stage.md §2',
      title: 'a token id ≥ vocab is refused with bad_request',
      async run(ctx) {
        const { conn, model } = served(state);
        const session = await open(conn, model, state, ctx.waitMs);
        const r = await forward(conn, session, 0, 0, [1, model.vocabSize], ctx.waitMs);
        expectErrorCode(r, ['bad_request'], `token ${model.vocabSize}`);
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.chain-last',
      clause: 'pipeline-stage.md §6',
      title:
        'a chained step with an empty next list runs the span and reports the fixture logits as chain.result',
      async run(ctx) {
        const { conn, model } = served(state);
        const ref = reference(ctx, model);
        const session = await open(conn, model, state, ctx.waitMs, {});
        const report = await chainStep(conn, session, ref.sequences[0]!, [], ctx.waitMs);
        expectThat(
          report.t === 'chain.result',
          `the step was reported as ${report.t}`,
          JSON.stringify(report.body.message),
        );
        compareLogits({ ...report, t: 'infer.result' }, ref.logits[0]!, 0, 16, model.vocabSize);
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.chain-upstream-only',
      clause: 'pipeline-stage.md §6',
      title:
        'a session opened for another upstream refuses our chained step with chain.error unauthorized and caches nothing',
      async run(ctx) {
        const { conn, model } = served(state);
        const session = await open(conn, model, state, ctx.waitMs, { upstream: OTHER_NODE });
        const report = await chainStep(conn, session, [1, 2, 3], [], ctx.waitMs);
        expectThat(
          report.t === 'chain.error' && report.body.code === 'unauthorized' && report.body.at === 'self',
          `a step from the wrong sender was reported as ${report.t} ${String(report.body.code ?? '')}`,
        );
        // nothing was cached: a step that assumes the 3 tokens is refused
        const r = await forward(conn, session, 1, 3, [4], ctx.waitMs);
        expectErrorCode(r, ['not_found'], 'position 3 after a refused chained step');
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.chain-unreachable-next',
      clause: 'pipeline-stage.md §6',
      title: 'a next node that cannot be reached is reported as chain.error at next',
      async run(ctx) {
        const { conn, model } = served(state);
        const session = await open(conn, model, state, ctx.waitMs, {});
        // port 9 (discard) on loopback: nothing listens there
        const next = [{ node: OTHER_NODE, url: 'ws://127.0.0.1:9' }];
        const report = await chainStep(conn, session, [1, 2, 3], next, ctx.waitMs * 2);
        expectThat(
          report.t === 'chain.error' && report.body.at === 'next',
          `an unreachable next node was reported as ${report.t} ${String(report.body.at ?? '')}`,
          JSON.stringify(report.body),
        );
        await conn.request('infer.close', { session }, ctx.waitMs);
      },
    },
    {
      id: 'stage.unknown-session',
      clause: 'protocol.md §8',
      title: 'a forward on a session that was never opened is not_found',
      async run(ctx) {
        const { conn } = served(state);
        const r = await forward(conn, 'conformance-never-opened', 0, 0, [1], ctx.waitMs);
        expectErrorCode(r, ['not_found'], 'an unknown session');
        await conn.close();
      },
    },
  ];
  return { name: 'stage', cases };
}
