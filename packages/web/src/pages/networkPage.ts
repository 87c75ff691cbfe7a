import type { AppContext } from '../AppContext';
import type { Health } from '../net/CoordinatorStatus';
import { layerCoverage } from '../net/layerCoverage';
import { h } from '../ui/h';

function modelsTable(health: Health): HTMLElement {
  return h(
    'table',
    { 'aria-label': 'Models' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Model'),
        h('th', {}, 'Version'),
        h('th', {}, 'Layer coverage'),
        h('th', {}, 'Served'),
      ),
    ),
    h(
      'tbody',
      {},
      ...health.models.map((m) => {
        const cov = layerCoverage(health, m.id, m.layers);
        return h(
          'tr',
          {},
          h('td', {}, m.id),
          h('td', {}, h('code', {}, `${m.version.slice(0, 12)}…`)),
          h('td', { 'data-coverage': cov.join(',') }, cov.map((n, i) => `L${i}×${n}`).join(' ')),
          h('td', {}, m.served ? 'yes' : `no — ${m.missing ?? ''}`),
        );
      }),
    ),
  );
}

function nodesTable(health: Health): HTMLElement {
  return h(
    'table',
    { 'aria-label': 'Nodes' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Node', 'State', 'Span', 'Latency', 'Sessions', 'Steps'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...health.workers.map((w) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, `${w.id.slice(0, 12)}…`)),
          h('td', {}, w.error ? `${w.state}: ${w.error}` : w.state),
          h('td', {}, w.span ? `${w.span.model}[${w.span.start}:${w.span.end})` : '—'),
          h('td', {}, `${w.latencyMs} ms`),
          h('td', {}, w.sessions),
          h('td', {}, w.steps),
        ),
      ),
    ),
  );
}

/** Network: nodes, layer coverage of each model, current round and ledger height (from `/health`, polled). */
export function networkPage(ctx: AppContext, signal: AbortSignal): HTMLElement {
  const body = h('div', {}, h('p', { class: 'status' }, 'Connecting…'));
  const off = ctx.status.subscribe((c) => {
    if (c.state === 'connecting') return;
    if (c.state === 'offline') {
      body.replaceChildren(
        h(
          'p',
          { class: 'error', role: 'alert' },
          `Coordinator unreachable — reconnecting in ${Math.round(c.retryInMs / 1000)} s (${c.error})`,
        ),
      );
      return;
    }
    const hl = c.health;
    body.replaceChildren(
      h(
        'section',
        { class: 'card' },
        h('h2', {}, 'Overview'),
        h(
          'p',
          { id: 'network-summary' },
          `Status ${hl.status} · round ${hl.round} · ledger height ${hl.ledgerHeight} · ${hl.workers.length} nodes · ${hl.sessions} sessions`,
        ),
      ),
      h('section', { class: 'card' }, h('h2', {}, 'Models'), modelsTable(hl)),
      h('section', { class: 'card' }, h('h2', {}, 'Nodes'), nodesTable(hl)),
    );
  });
  signal.addEventListener('abort', off, { once: true });
  return h('div', {}, h('h1', {}, 'Network'), body);
}
