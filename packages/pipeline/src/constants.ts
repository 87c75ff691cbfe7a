/** ONNX default-domain opset of emitted graphs (Gelu with `approximate` needs >= 20). */
export const OPSET_VERSION = 20;
/** ONNX IR version matching opset 20. */
export const ONNX_IR_VERSION = 9;
/** Additive attention bias for masked positions (finite, so fully masked rows stay NaN-free). */
export const MASK_BIAS = -1e9;
/** Prompt tokens per prefill forward: bounds the attention-score transient to chunk × context. */
export const DEFAULT_PREFILL_CHUNK = 128;
