import { formatAlc } from '@ailo/ledger';
import type { AppContext } from '../AppContext';
import { probe } from '../AppContext';
import { formatBytes } from '../ui/formatBytes';
import { h } from '../ui/h';
import { walletSecretHex } from '../wallet/walletKey';
import { BrowserWorkerHandle } from '../worker/BrowserWorkerHandle';
import type { FromWorker } from '../worker/messages';

/** The one browser worker of this tab; it keeps running while other pages are open. */
const handle = new BrowserWorkerHandle();
/** Lines shown on the page, kept across visits of the page. */
const shown = {
  state: 'Not contributing.',
  backend: '',
  span: '',
  steps: '',
  download: '',
  training: '',
  verdict: '',
};

function apply(m: FromWorker): void {
  const p = probe().worker;
  switch (m.type) {
    case 'state':
      p.state = m.state;
      if (m.detail) p.error = m.detail;
      shown.state =
        m.state === 'offline'
          ? `Coordinator unreachable — reconnecting (${m.detail ?? ''})`
          : m.state === 'failed'
            ? `Failed: ${m.detail ?? ''}`
            : m.state === 'joined'
              ? 'Connected: joined the network.'
              : m.state === 'connecting'
                ? 'Connecting to the coordinator…'
                : 'Stopped.';
      break;
    case 'backend':
      p.backend = m.name;
      shown.backend = `Backend: ${m.name === 'webgpu' ? 'WebGPU' : `WASM${m.isolated ? ' (threads)' : ''}`}${m.fallbackReason ? ` — ${m.fallbackReason}` : ''}`;
      break;
    case 'progress':
      shown.download = `Downloading ${m.key}: ${formatBytes(m.bytes)} / ${formatBytes(m.total ?? 0)}`;
      break;
    case 'cache':
      shown.download =
        m.kind === 'memory'
          ? m.reason === 'quota'
            ? 'Storage quota exceeded: chunks are kept in memory for this visit.'
            : 'IndexedDB unavailable: chunks are kept in memory for this visit.'
          : 'Chunks verified and cached in IndexedDB.';
      break;
    case 'serving':
      p.span = m.span;
      shown.span = `Serving ${m.span}`;
      break;
    case 'steps':
      p.steps = m.steps;
      shown.steps = `${m.steps} forward steps served · ${m.sessions} sessions open`;
      break;
    case 'trainer': {
      const e = m.event;
      if (e.type === 'training')
        shown.training = `Round ${e.round}: training ${e.steps} steps on ${e.samples} samples…`;
      else if (e.type === 'step')
        shown.training = `Round ${e.round}: step ${e.step}/${e.totalSteps}, loss ${e.loss.toFixed(3)}`;
      else if (e.type === 'submitted')
        shown.verdict = `Round ${e.round}: update submitted (loss ${e.firstLoss.toFixed(3)} → ${e.lastLoss.toFixed(3)}, ${e.samples} samples); waiting for the round to close.`;
      else if (e.type === 'rejected')
        shown.verdict = `Round ${e.round}: update rejected (${e.code}: ${e.reason})`;
      else shown.verdict = `Round ${e.round}: training failed (${e.reason})`;
      break;
    }
    case 'roundResult':
      shown.verdict =
        m.reward > 0
          ? `Round ${m.round} closed: your update was accepted; reward ${formatAlc(BigInt(m.reward))} ALC (see Wallet).`
          : `Round ${m.round} closed without your update (${m.accepted} accepted, ${m.rejected} rejected).`;
      break;
  }
}
handle.onMessage(apply);

/**
 * Contribute: lend this tab to the network as a worker (a layer span held and
 * its forward steps served, in a Web Worker) and, optionally, as a trainer in
 * federated rounds on private text typed here (it never leaves the device).
 */
export function contributePage(ctx: AppContext, signal: AbortSignal): HTMLElement {
  const lines = Object.fromEntries(
    Object.keys(shown).map((k) => [k, h('p', { class: k === 'state' ? '' : 'status', 'data-line': k })]),
  ) as Record<keyof typeof shown, HTMLParagraphElement>;
  const paint = () => {
    for (const k of Object.keys(shown) as (keyof typeof shown)[]) lines[k].textContent = shown[k];
    button.textContent = handle.running ? 'Leave' : 'Join as worker';
  };
  const train = h('input', { type: 'checkbox', id: 'join-training' });
  const text = h(
    'textarea',
    { id: 'training-text', rows: 4, cols: 60 },
    'The quick brown fox jumps over the lazy dog. Networks of browsers can train a shared model together; the data stays on each device.',
  );
  const layers = h('input', { id: 'layers', autocomplete: 'off', placeholder: 'auto' });
  const button = h('button', { type: 'button' }, 'Join as worker');
  button.addEventListener('click', () => {
    if (handle.running) {
      handle.stop();
      shown.state = 'Stopped.';
      probe().worker.state = 'stopped';
      return paint();
    }
    const m = /^(\d+):(\d+)$/.exec(layers.value.trim());
    handle.start({
      type: 'start',
      coordinator: ctx.urls.ws,
      secretKeyHex: walletSecretHex(),
      backend: ctx.backendChoice,
      wasmPaths: ctx.wasmPaths,
      ...(m ? { layers: { start: Number(m[1]), end: Number(m[2]) } } : {}),
      ...(train.checked && text.value.trim() ? { trainingText: text.value } : {}),
    });
    shown.state = 'Starting…';
    paint();
  });
  const off = handle.onMessage(() => paint());
  signal.addEventListener('abort', off, { once: true });
  paint();
  return h(
    'div',
    {},
    h('h1', {}, 'Contribute'),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Worker'),
      h('div', { class: 'row' }, h('label', { for: 'layers' }, 'Layers (start:end)'), layers),
      h('div', { class: 'row' }, train, h('label', { for: 'join-training' }, 'Join training rounds')),
      h('label', { for: 'training-text' }, 'Private training text (stays on this device)'),
      h('div', {}, text),
      h('div', { class: 'row' }, button),
    ),
    h(
      'section',
      { class: 'card', 'aria-label': 'Worker status', 'aria-live': 'polite' },
      ...Object.values(lines),
    ),
  );
}
