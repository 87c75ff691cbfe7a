import { type AppContext, probe } from './AppContext';
import { ortWasmPaths } from './backend/pickBackend';
import { CHAT_MAX_TOKENS } from './constants';
import { CoordinatorStatus } from './net/CoordinatorStatus';
import { coordinatorUrls } from './net/coordinatorUrls';
import { chatPage } from './pages/chatPage';
import { contributePage } from './pages/contributePage';
import { networkPage } from './pages/networkPage';
import { walletPage } from './pages/walletPage';
import { startRouter } from './router';

/** `?max_tokens=N` (1…256), else the default reply length. */
function replyLength(raw: string | null): number {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 256 ? n : CHAT_MAX_TOKENS;
}

const params = new URL(location.href).searchParams;
const choice = params.get('backend');
const urls = coordinatorUrls();
const ctx: AppContext = {
  urls,
  status: new CoordinatorStatus(urls.http),
  wasmPaths: ortWasmPaths(new URL('.', location.href)),
  backendChoice: choice === 'wasm' || choice === 'webgpu' ? choice : 'auto',
  maxTokens: replyLength(params.get('max_tokens')),
};
probe();

const badge = document.querySelector<HTMLSpanElement>('#connection')!;
ctx.status.subscribe((c) => {
  badge.classList.toggle('offline', c.state === 'offline');
  badge.textContent =
    c.state === 'online'
      ? `Connected · ${c.health.workers.length} nodes · round ${c.health.round}`
      : c.state === 'offline'
        ? `Coordinator unreachable — reconnecting in ${Math.round(c.retryInMs / 1000)} s`
        : 'Connecting…';
});
ctx.status.start();

startRouter(
  ctx,
  document.querySelector<HTMLElement>('#page')!,
  { chat: chatPage, network: networkPage, wallet: walletPage, contribute: contributePage },
  'chat',
);
