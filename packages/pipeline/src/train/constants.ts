/**
 * Label value excluded from the loss (PyTorch `CrossEntropyLoss(ignore_index=-100)`,
 * the HF `labels` convention for padding).
 */
export const IGNORE_INDEX = -100;

/** Symbolic stage-graph dims bound for training: no KV cache, so past = 0 and total = seq. */
export const TRAINING_PAST_LENGTH = 0;

/** Prefix of parameter-gradient outputs of a training graph: `grad.<HF tensor name>`. */
export const GRAD_PREFIX = 'grad.';

/** AdamW defaults (Loshchilov & Hutter 2019; PyTorch `torch.optim.AdamW` β and ε). */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 } as const;

/** GPT-2 initialisation: N(0, 0.02) for matrices and embeddings (Radford et al. 2019, HF `initializer_range`). */
export const INIT_STD = 0.02;
