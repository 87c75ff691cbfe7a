import { type Static, Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEnvelope } from '../src/envelope';
import { decodeMessage, encodeMessage } from '../src/message';
import { CATALOGUE } from '../src/messages/catalogue';
import { defaultRegistry, MessageRegistry, registerMessage } from '../src/messages/MessageRegistry';
import { Bin, TensorSchema } from '../src/messages/wireTypes';
import { tensor } from '../src/tensor';
import { arbitraryOf } from './arbitraries';
import { codeOf, hex } from './codeOf';

describe('message catalogue (spec §9)', () => {
  it('covers the five families of the design', () => {
    const families = new Map<string, string[]>();
    for (const spec of CATALOGUE)
      families.set(spec.family, [...(families.get(spec.family) ?? []), spec.type]);
    expect(Object.fromEntries(families)).toEqual({
      session: ['challenge', 'hello', 'welcome', 'ping', 'pong', 'bye', 'error', 'ok'],
      inference: ['infer.open', 'infer.forward', 'infer.result', 'infer.close'],
      training: ['round.announce', 'round.task', 'update.submit', 'round.result'],
      ledger: [
        'tx.submit',
        'tx.verify',
        'tx.report',
        'tx.ack',
        'block.announce',
        'ledger.sync',
        'ledger.blocks',
      ],
      model: ['model.manifest', 'model.manifest.data', 'model.chunk', 'model.chunk.data'],
    });
  });

  it('names a registered reply type for every request', () => {
    for (const spec of CATALOGUE) {
      if (spec.kind === 'request') expect(defaultRegistry.get(spec.reply!)?.kind).toBe('reply');
      else expect(spec.reply).toBeUndefined();
    }
  });

  describe.each(CATALOGUE.map((s) => [s.type, s] as const))('%s', (type, spec) => {
    it('round-trips random valid bodies byte for byte (property)', () => {
      fc.assert(
        fc.property(arbitraryOf(spec.schema), fc.nat({ max: 0xffff_ffff }), (body, id) => {
          const frame = encodeMessage({ v: 1, t: type, id, body: body as Record<string, unknown> });
          const back = decodeMessage(frame);
          expect(back).toEqual({ v: 1, t: type, id, body });
          expect(hex(encodeMessage(back))).toBe(hex(frame));
        }),
        { numRuns: 40 },
      );
    });

    it('rejects a body with a wrong field type (bad_request)', () => {
      const wrong = { ...(fc.sample(arbitraryOf(spec.schema), { numRuns: 1, seed: 1 })[0] as object) };
      const keys = Object.keys(spec.schema.properties ?? {});
      if (keys.length === 0)
        return expect(codeOf(() => defaultRegistry.validate(type, { extra: 1 }))).toBe('no error');
      (wrong as Record<string, unknown>)[keys[0]!] = { nested: [] };
      expect(codeOf(() => defaultRegistry.validate(type, wrong))).toBe('bad_request');
    });
  });

  it('answers an unknown type with unsupported', () => {
    const frame = encodeEnvelope({ v: 1, t: 'no.such.type', id: 1, body: {} });
    expect(codeOf(() => decodeMessage(frame))).toBe('unsupported');
    expect(codeOf(() => encodeMessage({ v: 1, t: 'no.such.type', id: 1, body: {} }))).toBe('unsupported');
  });

  it('ignores unknown body fields (forward compatibility)', () => {
    expect(codeOf(() => defaultRegistry.validate('ping', { ts: 1, future: 'x' }))).toBe('no error');
  });

  it('checks tensor and bin constraints in schemas', () => {
    const forward = { session: 's', step: 0, position: 0 };
    const ok = tensor('i32', [1, 2], new Int32Array(2));
    expect(codeOf(() => defaultRegistry.validate('infer.forward', { ...forward, input: ok }))).toBe(
      'no error',
    );
    const u8 = tensor('u8', [2], new Uint8Array(2));
    expect(codeOf(() => defaultRegistry.validate('infer.forward', { ...forward, input: u8 }))).toBe(
      'bad_request',
    );
    const hello = { sig: new Uint8Array(64), roles: [], version: 1 };
    const caps = { backends: [], memoryBytes: 0, layerSpans: [] };
    expect(
      codeOf(() =>
        defaultRegistry.validate('hello', { ...hello, capabilities: caps, pubkey: new Uint8Array(31) }),
      ),
    ).toBe('bad_request');
  });
});

describe('registry extension', () => {
  it('registers a new type on a private registry and validates with it', () => {
    const registry = new MessageRegistry();
    const Demo = Type.Object({ blob: Bin({ maxBytes: 4 }), t: TensorSchema({ dtypes: ['f32'] }) });
    registry.register('demo.echo', Demo, { reply: 'ok', description: 'test' });
    expect(registry.get('demo.echo')).toMatchObject({ family: 'demo', kind: 'request', reply: 'ok' });
    const body: Static<typeof Demo> = { blob: new Uint8Array(4), t: tensor('f32', [1], new Float32Array(1)) };
    const frame = encodeMessage({ v: 1, t: 'demo.echo', id: 3, body }, { registry });
    expect(decodeMessage(frame, { registry }).body).toStrictEqual(body);
    expect(codeOf(() => decodeMessage(frame))).toBe('unsupported');
    expect(codeOf(() => registry.validate('demo.echo', { ...body, blob: new Uint8Array(5) }))).toBe(
      'bad_request',
    );
  });

  it('registerMessage adds to the default registry; re-registering another schema is a conflict', () => {
    const Schema = Type.Object({ n: Type.Integer() });
    registerMessage('test.note', Schema);
    expect(defaultRegistry.get('test.note')?.kind).toBe('notify');
    registerMessage('test.note', Schema);
    expect(codeOf(() => registerMessage('test.note', Type.Object({})))).toBe('conflict');
  });
});
