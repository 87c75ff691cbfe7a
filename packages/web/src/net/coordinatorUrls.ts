/** Where the coordinator is: its HTTP root and WebSocket URL. */
export interface CoordinatorUrls {
  /** `http(s)://host:port` without a trailing slash */
  http: string;
  /** `ws(s)://host:port` */
  ws: string;
}

/**
 * The coordinator serving this page, or the one named by `?coordinator=http://host:port`
 * (a page opened from elsewhere, e.g. `vite dev`).
 */
export function coordinatorUrls(loc: { href: string; origin: string } = location): CoordinatorUrls {
  const param = new URL(loc.href).searchParams.get('coordinator');
  const http = (param ? new URL(param).origin : loc.origin).replace(/\/+$/, '');
  return { http, ws: http.replace(/^http/, 'ws') };
}
