import { formatAlc } from '@ailo/ledger';
import type { AppContext } from '../AppContext';
import { probe } from '../AppContext';
import { CONFIRMATIONS_NEEDED } from '../constants';
import { messageOf } from '../errors';
import { h } from '../ui/h';
import { WalletSession, type WalletTx } from '../wallet/WalletSession';
import { loadWalletKey } from '../wallet/walletKey';

function short(s: string | null): string {
  return s ? `${s.slice(0, 14)}…` : '—';
}

function confirmations(t: WalletTx): string {
  return t.type === 'TRANSFER' ? `${t.confirmations}/${CONFIRMATIONS_NEEDED}` : '—';
}

/**
 * Wallet: the address of this browser's key (kept in localStorage), username
 * registration, spendable and pending balances from the locally verified ledger,
 * sending ALC, and transactions with their status and confirmations; other
 * parties' transfers can be verified or reported.
 */
export function walletPage(ctx: AppContext, signal: AbortSignal): HTMLElement {
  const key = loadWalletKey();
  probe().wallet.address = key.address;
  const status = h(
    'p',
    { class: 'status', role: 'status', id: 'wallet-status' },
    'Connecting to the ledger…',
  );
  const balance = h('p', { id: 'balance' }, '…');
  const username = h('span', {}, '');
  const regInput = h('input', { id: 'username', autocomplete: 'off' });
  const toInput = h('input', { id: 'send-to', autocomplete: 'off' });
  const amountInput = h('input', { id: 'send-amount', autocomplete: 'off', inputmode: 'decimal' });
  const mineBody = h('tbody', {});
  const othersBody = h('tbody', {});
  let session: WalletSession | undefined;

  const act = async (what: string, fn: (s: WalletSession) => Promise<string>) => {
    if (!session) return;
    try {
      const id = await fn(session);
      status.textContent = `${what} submitted (${id.slice(0, 12)}…); waiting for the next block.`;
      status.classList.remove('error');
    } catch (e) {
      status.textContent = `${what} refused: ${messageOf(e)}`;
      status.classList.add('error');
    }
  };

  const row = (t: WalletTx, votable: boolean) =>
    h(
      'tr',
      { 'data-tx': t.id, 'data-status': t.status },
      h('td', {}, t.type),
      h('td', {}, h('code', {}, short(t.from))),
      h('td', {}, h('code', {}, short(t.to))),
      h('td', {}, t.amount > 0n ? `${formatAlc(t.amount)} ALC` : '—'),
      h(
        'td',
        { title: t.reference },
        t.reference.length > 20 ? `${t.reference.slice(0, 20)}…` : t.reference || '—',
      ),
      h('td', { class: 'tx-status' }, t.status),
      h('td', { class: 'tx-confirmations' }, confirmations(t)),
      h('td', {}, t.height || '—'),
      votable
        ? h(
            'td',
            {},
            h('button', { type: 'button', onclick: () => act('Verify', (s) => s.verify(t.id)) }, 'Verify'),
            h('button', { type: 'button', onclick: () => act('Report', (s) => s.report(t.id)) }, 'Report'),
          )
        : h('td', {}),
    );

  const render = async () => {
    const s = session;
    if (!s) return;
    const a = s.account();
    probe().wallet.height = s.height;
    balance.textContent = `Spendable ${formatAlc(a.spendable)} ALC · pending ${formatAlc(a.locked)} ALC · ledger height ${s.height}`;
    username.textContent = a.username ? `Username: ${a.username}` : 'No username yet';
    const { mine, others } = await s.transactions();
    mineBody.replaceChildren(...mine.map((t) => row(t, false)));
    othersBody.replaceChildren(
      ...others.filter((t) => t.status === 'PENDING' || t.status === 'REPORTED').map((t) => row(t, true)),
    );
  };

  const open = async (attempt: number): Promise<void> => {
    if (signal.aborted) return;
    try {
      session = await WalletSession.open(ctx.urls.ws, key);
    } catch (e) {
      const wait = Math.min(10_000, 1000 * 2 ** attempt);
      status.textContent = `Coordinator unreachable — reconnecting in ${Math.round(wait / 1000)} s (${messageOf(e)})`;
      status.classList.add('error');
      setTimeout(() => void open(attempt + 1), wait);
      return;
    }
    if (signal.aborted) return session.close();
    status.textContent = 'Ledger synced and verified locally.';
    status.classList.remove('error');
    const s = session;
    s.onChange(() => void render());
    signal.addEventListener('abort', () => s.close(), { once: true });
    s.closed.then(() => {
      if (signal.aborted) return;
      session = undefined;
      void open(0);
    });
    await render();
  };
  void open(0);

  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      ...['Type', 'From', 'To', 'Amount', 'Reference', 'Status', 'Confirmations', 'Block', ''].map((t) =>
        h('th', {}, t),
      ),
    ),
  );
  return h(
    'div',
    {},
    h('h1', {}, 'Wallet'),
    status,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Account'),
      h('p', {}, 'Address: ', h('code', { id: 'address' }, key.address)),
      h('p', {}, username),
      balance,
      h(
        'form',
        {
          class: 'row',
          onsubmit: (ev: Event) => {
            ev.preventDefault();
            void act('Registration', (s) => s.register(regInput.value));
          },
        },
        h('label', { for: 'username' }, 'Username'),
        regInput,
        h('button', { type: 'submit' }, 'Register'),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Send ALC'),
      h(
        'form',
        {
          class: 'row',
          onsubmit: (ev: Event) => {
            ev.preventDefault();
            void act('Transfer', (s) => s.send(toInput.value, amountInput.value));
          },
        },
        h('label', { for: 'send-to' }, 'Recipient'),
        toInput,
        h('label', { for: 'send-amount' }, 'Amount (ALC)'),
        amountInput,
        h('button', { type: 'submit' }, 'Send ALC'),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Transactions'),
      h('table', { 'aria-label': 'Transactions' }, head, mineBody),
    ),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Transfers to check'),
      h('table', { 'aria-label': 'Transfers to check' }, head.cloneNode(true), othersBody),
    ),
  );
}
