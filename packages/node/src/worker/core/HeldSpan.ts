/** The layers one worker serves: [start, end) of one version of one model. */
export interface HeldSpan {
  model: string;
  /** manifest sha256 (hex) of the model version */
  version: string;
  start: number;
  end: number;
}

/** `m[a:b)` — how spans are named in messages and logs. */
export function spanLabel(s: { model: string; start: number; end: number }): string {
  return `${s.model}[${s.start}:${s.end})`;
}
