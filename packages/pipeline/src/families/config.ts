import { ARCHITECTURES, type Architecture, type ModelConfig, modelConfigFromHf } from '@ailo/virtual-tensor';
import { PipelineError } from '../errors';

// The model config is @ailo/virtual-tensor's: one definition of a model's shape for
// planning, packing and running.
export type { Architecture, ModelConfig } from '@ailo/virtual-tensor';
export const SUPPORTED_ARCHITECTURES: readonly Architecture[] = ARCHITECTURES;

/** Reads an HF `config.json` object; unsupported families fail listing the supported ones. */
export function parseHfConfig(cfg: Record<string, unknown>): ModelConfig {
  const mt = cfg.model_type;
  const classes = Array.isArray(cfg.architectures) ? cfg.architectures.map(String) : [];
  const known =
    (typeof mt === 'string' && (ARCHITECTURES as readonly string[]).includes(mt)) ||
    classes.some((c) => /^(GPT2|Llama|Qwen2)(LMHead|ForCausalLM|Model)/.test(c));
  if (!known) {
    throw new PipelineError(
      'unsupported_architecture',
      `Unsupported architecture "${String(mt ?? classes[0] ?? 'unknown')}".`,
      {
        details: `Supported: ${ARCHITECTURES.join(', ')}`,
      },
    );
  }
  try {
    return checkRunnable(modelConfigFromHf(cfg));
  } catch (cause) {
    if (cause instanceof PipelineError) throw cause;
    throw new PipelineError('bad_config', 'Invalid model config.', {
      details: String((cause as Error).message),
      cause,
    });
  }
}

/** What the graph builder needs beyond a valid config. */
export function checkRunnable(c: ModelConfig): ModelConfig {
  if (c.architecture !== 'gpt2' && c.headDim % 2 !== 0) {
    throw new PipelineError('bad_config', `RoPE needs an even head_dim, got ${c.headDim}`);
  }
  return c;
}

/** Layers [start, end) of a model, held by one pipeline stage. */
export interface LayerSpan {
  start: number;
  end: number;
}
