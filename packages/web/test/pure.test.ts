import { describe, expect, it } from 'vitest';
import type { Health } from '../src/net/CoordinatorStatus';
import { coordinatorUrls } from '../src/net/coordinatorUrls';
import { layerCoverage } from '../src/net/layerCoverage';
import { isQuotaError } from '../src/storage/isQuotaError';

const worker = (state: string, span: { model: string; start: number; end: number } | null) => ({
  id: 'x',
  state,
  span,
  error: null,
  latencyMs: 1,
  sessions: 0,
  steps: 0,
});

describe('layerCoverage', () => {
  it('counts ready workers per layer of one model only', () => {
    const h: Health = {
      status: 'ok',
      models: [],
      workers: [
        worker('ready', { model: 'm', start: 0, end: 2 }),
        worker('ready', { model: 'm', start: 1, end: 4 }),
        worker('loading', { model: 'm', start: 0, end: 4 }),
        worker('ready', { model: 'other', start: 0, end: 4 }),
        worker('ready', null),
      ],
      sessions: 0,
      round: 0,
      ledgerHeight: 0,
    };
    expect(layerCoverage(h, 'm', 4)).toEqual([1, 2, 1, 1]);
    expect(layerCoverage(h, 'm', 3)).toEqual([1, 2, 1]); // spans past the model are clipped
  });
});

describe('isQuotaError', () => {
  it('finds QuotaExceededError through wrapping causes', () => {
    const dom = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    expect(isQuotaError(dom)).toBe(true);
    expect(isQuotaError(new Error('IndexedDB put failed.', { cause: new Error('x', { cause: dom }) }))).toBe(
      true,
    );
    expect(isQuotaError(new Error('IndexedDB put failed.', { cause: new Error('disk I/O') }))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });
});

describe('coordinatorUrls', () => {
  it('defaults to the page origin; ?coordinator= overrides it', () => {
    expect(coordinatorUrls({ href: 'http://a:7420/#/chat', origin: 'http://a:7420' })).toEqual({
      http: 'http://a:7420',
      ws: 'ws://a:7420',
    });
    expect(coordinatorUrls({ href: 'http://a/?coordinator=https://b:8443/x', origin: 'http://a' })).toEqual({
      http: 'https://b:8443',
      ws: 'wss://b:8443',
    });
  });
});
