import type { AppContext } from './AppContext';

/** A page: renders into a fresh element; `signal` aborts when the page is left. */
export type Page = (ctx: AppContext, signal: AbortSignal) => HTMLElement;

/**
 * Hash routing (`#/chat`, `#/network`, …): the coordinator serves one
 * `index.html`, and every page is a client-side view of it.
 */
export function startRouter(
  ctx: AppContext,
  root: HTMLElement,
  pages: Record<string, Page>,
  fallback: string,
): void {
  let leave: AbortController | undefined;
  const show = () => {
    const name = location.hash.replace(/^#\/?/, '') || fallback;
    const page = pages[name] ?? pages[fallback]!;
    leave?.abort();
    leave = new AbortController();
    root.replaceChildren(page(ctx, leave.signal));
    for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
      if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `Ailo — ${name[0]!.toUpperCase()}${name.slice(1)}`;
  };
  window.addEventListener('hashchange', show);
  show();
}
