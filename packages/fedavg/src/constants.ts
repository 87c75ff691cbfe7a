/**
 * Limits and defaults. Clauses refer to `spec/fl.md` unless noted.
 */

/** Update files: `__metadata__` key holding n_k, a decimal positive integer (§2 "Update files"). */
export const META_NUM_SAMPLES = 'num_samples';

/** Update files: `__metadata__` key holding the round number t, a decimal non-negative integer (§2). */
export const META_ROUND = 'round';

/** Update files: `__metadata__` key holding the base model hash, 64 lowercase hex digits (§2). */
export const META_BASE = 'base';

/** Aggregate files: number of client updates folded into the aggregate (§2 "Aggregate files"). */
export const META_CLIENTS = 'clients';

/** Aggregate files: aggregation rule that produced the file (§2 "Aggregate files"). */
export const META_RULE = 'rule';

/** Model files written by aggregation: hash of the model the step was applied to (§2 "Model files"). */
export const META_PARENT = 'parent';

/** Model files written by aggregation: {@link modelHash} of the tensors in the file (§2 "Model files"). */
export const META_MODEL_HASH = 'model_hash';

/** Domain tag hashed first by `modelHash` (§1 "Model hash"). ASCII */
export const MODEL_HASH_DOMAIN = 'ailo/tensors/v1';

/** dtype label of every tensor in the canonical hash encoding (§1): tensors are hashed as float32. */
export const MODEL_HASH_DTYPE = 'F32';

/** n_k must be a positive integer not above this (§3 "Aggregation rule"); keeps Σ n_k exact in float64. */
export const MAX_NUM_SAMPLES = Number.MAX_SAFE_INTEGER;

/**
 * Buffered rules (trimmed mean, median, Krum) hold every update: they refuse to start when
 * maxClients × model bytes exceeds this (§4 "Robust rules"). bytes, 2 GiB
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * 1024 ** 3;

/** Default fraction trimmed from each end per coordinate by the trimmed mean (§4; Yin et al. 2018 use β < 1/2). */
export const DEFAULT_TRIM_FRACTION = 0.1;

/** int8 compression: default elements per block sharing one float32 scale (§5 "Compression"). */
export const DEFAULT_INT8_BLOCK = 64;

/** int8 compression: quantized values lie in [−127, 127] (symmetric; −128 is never produced) (§5). */
export const INT8_MAX = 127;

/** fp16 compression: the largest finite binary16 value; larger magnitudes saturate to it (§5). */
export const FP16_MAX = 65504;

/** FedAvgM: default server momentum β (Hsu et al. 2019, "Measuring the effects of non-identical data…"). */
export const DEFAULT_SERVER_MOMENTUM = 0.9;

/** FedAdam/FedYogi: default β1 (Reddi et al. 2021, "Adaptive Federated Optimization", §5). */
export const DEFAULT_BETA1 = 0.9;

/** FedAdam/FedYogi: default β2 (Reddi et al. 2021, §5). */
export const DEFAULT_BETA2 = 0.99;

/** FedAdam/FedYogi: default adaptivity τ (Reddi et al. 2021, §5: τ = 10⁻³ works best in their sweeps). */
export const DEFAULT_TAU = 1e-3;

/** FedAdam/FedYogi: default server learning rate η (Reddi et al. 2021 sweep range 10⁻³…1). */
export const DEFAULT_ADAPTIVE_SERVER_LR = 1e-2;

/** FedAvg/FedAvgM: default server learning rate η; η = 1 is classic FedAvg (§3). */
export const DEFAULT_SERVER_LR = 1;

/** Fold kernel: elements copied into the WebAssembly scratch block per call (32 KiB of float32). */
export const KERNEL_BLOCK_ELEMENTS = 8192;

/** Fold kernel: an accumulator arena (one WebAssembly memory) holds at most this many bytes. 1 GiB */
export const KERNEL_MAX_ARENA_BYTES = 1024 ** 3;
