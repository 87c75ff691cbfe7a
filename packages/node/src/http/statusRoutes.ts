import type { Coordinator, HttpHandler } from '../coordinator/Coordinator';
import { sendJson, sendText } from './respond';

/** A model's coverage: whether a chain of ready workers runs it now, and what is missing if not. */
function coverage(c: Coordinator, id: string): { served: boolean; missing?: string } {
  try {
    c.pipeline(id).plan();
    return { served: true };
  } catch (e) {
    return { served: false, missing: (e as { shortMessage?: string }).shortMessage ?? String(e) };
  }
}

/**
 * `GET /health` (JSON: status, models and their coverage, workers with span,
 * latency and load, sessions) and `GET /metrics` (Prometheus text format).
 * `status` is `ok` when every model can be served, else `degraded`.
 */
export function statusRoutes(c: Coordinator): HttpHandler {
  return async (req, res, url) => {
    if (req.method !== 'GET') return false;
    if (url.pathname === '/metrics') {
      sendText(res, 200, await c.metrics.registry.metrics(), c.metrics.registry.contentType);
      return true;
    }
    if (url.pathname !== '/health') return false;
    const models = c.modelIds().map((id) => {
      const m = c.model(id);
      return { id, version: m.version, layers: m.config.numLayers, ...coverage(c, id) };
    });
    sendJson(res, 200, {
      status: models.every((m) => m.served) ? 'ok' : 'degraded',
      models,
      workers: c.workers.list().map((w) => ({
        id: w.id,
        state: w.state,
        span: w.span ? { model: w.span.model, start: w.span.start, end: w.span.end } : null,
        error: w.error ?? null,
        latencyMs: Number(w.latencyMs.toFixed(3)),
        sessions: w.sessions,
        steps: w.steps,
      })),
      sessions: c.gate.active,
      round: c.stats.round,
      ledgerHeight: c.stats.ledgerHeight,
    });
    return true;
  };
}
