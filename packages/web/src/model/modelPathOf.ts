/** URL path of a model version's packed directory on a coordinator, ending in `/` (as `modelPath` in `@ailo/node`). */
export function modelPathOf(id: string, version: string): string {
  return `/models/${encodeURIComponent(id)}/${version}/`;
}
