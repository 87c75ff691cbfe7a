/**
 * Streams text while a stop sequence may still be forming: text that could be
 * the start of a stop string is held back until it is known not to be one,
 * so a streaming client never sees any part of the stop text.
 */
export class StopHoldback {
  private text = '';
  private sent = 0;

  constructor(private readonly stops: readonly string[]) {}

  /** Adds generated text; returns what can be sent now. */
  push(piece: string): string {
    this.text += piece;
    let hold = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, this.text.length); k > hold; k--) {
        if (this.text.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    const safe = this.text.length - hold;
    if (safe <= this.sent) return '';
    const out = this.text.slice(this.sent, safe);
    this.sent = safe;
    return out;
  }

  /** The rest of `finalText` (the generation's result, already cut at a stop) not yet sent. */
  finish(finalText: string): string {
    const out = finalText.slice(this.sent);
    this.sent = finalText.length;
    return out;
  }
}
