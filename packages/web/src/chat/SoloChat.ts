import {
  type Backend,
  generate,
  gpt2Tokenizer,
  type HostTensor,
  type LogitsSource,
  StageChain,
  type TextTokenizer,
} from '@ailo/pipeline';
import { CHAT_MAX_TOKENS } from '../constants';
import { WebUiError } from '../errors';
import {
  type BrowserModelOptions,
  loadWeights,
  openRemoteModelInBrowser,
  type RemoteModelRef,
} from '../model/openRemoteModelInBrowser';
import type { CacheKind } from '../storage/FallbackChunkStore';

/** GPT-2 BPE vocabulary size: the tokenizer the browser bundles. */
const GPT2_VOCAB = 50257;

/** One streamed token. */
export interface ChatToken {
  id: number;
  text: string;
}

/**
 * Chat with a model running entirely in this tab: every layer is loaded
 * (chunks from IndexedDB or the coordinator) and run by onnxruntime-web.
 * Greedy decoding, so the same prompt gives the same reply as `ailo generate --greedy`.
 */
export class SoloChat {
  /** logits of the last prompt position of the latest reply (what the first token was picked from) */
  promptLogits: Float32Array | undefined;

  private constructor(
    private readonly chain: StageChain,
    private readonly tokenizer: TextTokenizer,
    readonly layers: number,
    readonly cache: CacheKind,
  ) {}

  /**
   * Loads a whole model version into this tab.
   * @throws WebUiError `no_tokenizer` when the model does not use the GPT-2 vocabulary.
   */
  static async load(
    ref: RemoteModelRef,
    backend: Backend,
    opts: BrowserModelOptions = {},
  ): Promise<SoloChat> {
    const { vm, cache } = await openRemoteModelInBrowser(ref, opts);
    if (vm.config.vocabSize !== GPT2_VOCAB) {
      throw new WebUiError('no_tokenizer', `${ref.model} has a ${vm.config.vocabSize}-token vocabulary`, {
        details: 'The page tokenizes with GPT-2 BPE (50257 tokens); use network chat for this model.',
      });
    }
    const { config, weights } = await loadWeights(vm, 0, vm.config.numLayers, opts.signal);
    const chain = await StageChain.create(config, weights, backend);
    return new SoloChat(chain, gpt2Tokenizer(), config.numLayers, cache.kind);
  }

  /** Streams the greedy continuation of `prompt`. */
  async *reply(prompt: string, signal: AbortSignal, maxTokens = CHAT_MAX_TOKENS): AsyncGenerator<ChatToken> {
    this.promptLogits = undefined;
    const chain = this.chain;
    const recorder: LogitsSource = {
      config: chain.config,
      forward: async (session, ids, opts) => {
        const out: HostTensor = await chain.forward(session, ids, opts);
        if (this.promptLogits === undefined) {
          const V = chain.config.vocabSize;
          const data = out.data as Float32Array;
          this.promptLogits = data.slice(data.length - V);
        }
        return out;
      },
      close: (session) => chain.close(session),
    };
    const it = generate(
      recorder,
      this.tokenizer.encode(prompt),
      { greedy: true, maxTokens, signal, stopOnEos: false },
      this.tokenizer,
    );
    for await (const t of it) yield { id: t.id, text: t.text };
  }
}
