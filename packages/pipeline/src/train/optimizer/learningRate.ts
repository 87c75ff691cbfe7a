/** Linear warmup then cosine decay. */
export interface LrSchedule {
  /** peak learning rate */
  lr: number;
  /** steps of linear warmup from lr/warmupSteps to lr (default 0) */
  warmupSteps?: number;
  /** optimizer steps of the whole run; decay reaches the floor here */
  totalSteps: number;
  /** floor as a fraction of `lr` (default 0) */
  minLrRatio?: number;
}

/** Learning rate of optimizer step `step` (0-based). */
export function learningRate(step: number, s: LrSchedule): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (s.lr * (step + 1)) / warm;
  const floor = s.lr * (s.minLrRatio ?? 0);
  const span = Math.max(1, s.totalSteps - warm);
  const progress = Math.min(1, (step - warm) / span);
  return floor + (s.lr - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
