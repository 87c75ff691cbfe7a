/** Whether `e` (or one of its causes) is the browser refusing a write for lack of storage quota. */
export function isQuotaError(e: unknown): boolean {
  for (
    let cur = e as { name?: string; message?: string; cause?: unknown } | undefined, i = 0;
    cur && i < 8;
    i++
  ) {
    if (cur.name === 'QuotaExceededError' || /quota/i.test(cur.message ?? '')) return true;
    cur = cur.cause as typeof cur;
  }
  return false;
}
