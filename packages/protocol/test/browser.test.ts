import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../src/message';
import { tensor } from '../src/tensor';
import { hex } from './codeOf';

/**
 * The main entry must run in browsers: bundle it for the browser platform and run it in a context
 * that has only what a browser offers (no Buffer, process, require or node: modules).
 */
describe('main entry in a browser-like context', () => {
  it('bundles for the browser and encodes, decodes, signs and verifies without Node globals', async () => {
    const result = await build({
      entryPoints: [join(import.meta.dirname, '../src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'AiloProtocol',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const context = createContext({
      TextEncoder,
      TextDecoder,
      crypto: globalThis.crypto,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
      AbortController,
      console,
    });
    runInContext(result.outputFiles[0]!.text, context);
    const out = runInContext(
      `(() => {
        const P = AiloProtocol;
        if (typeof Buffer !== 'undefined' || typeof process !== 'undefined') throw new Error('node globals leaked');
        const frame = P.encodeMessage({ v: 1, t: 'infer.forward', id: 3, body: { session: 's', step: 0, position: 0,
          input: P.tensor('f32', [2], new Float32Array([1.5, -2])) } });
        const back = P.decodeMessage(frame);
        const id = P.createIdentity();
        const challenge = P.createChallenge('srv');
        const verified = P.verifyHello(P.signHello(id, challenge), challenge);
        let code = 'none';
        try { P.decodeMessage(new Uint8Array([0xc1])); } catch (e) { code = e.code; }
        const hex = Array.from(frame, (b) => b.toString(16).padStart(2, '0')).join('');
        return { hex, data: Array.from(back.body.input.data), peerId: verified.peerId.length, code,
          half: Array.from(P.float16ToFloat32(P.float32ToFloat16(new Float32Array([0.5])))) };
      })()`,
      context,
    );
    const same = encodeMessage({
      v: 1,
      t: 'infer.forward',
      id: 3,
      body: { session: 's', step: 0, position: 0, input: tensor('f32', [2], new Float32Array([1.5, -2])) },
    });
    expect(out).toEqual({ hex: hex(same), data: [1.5, -2], peerId: 64, code: 'bad_frame', half: [0.5] });
  });
});
