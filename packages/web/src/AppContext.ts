import type { CoordinatorStatus, Health } from './net/CoordinatorStatus';
import type { CoordinatorUrls } from './net/coordinatorUrls';

/** What every page gets: where the coordinator is and its live status. */
export interface AppContext {
  urls: CoordinatorUrls;
  status: CoordinatorStatus;
  /** URL of onnxruntime-web's runtime files served with the app */
  wasmPaths: string;
  /** `?backend=` override: `wasm`, `webgpu` or `auto` (default) */
  backendChoice: 'auto' | 'wasm' | 'webgpu';
  /** tokens per chat reply (`?max_tokens=`, default `CHAT_MAX_TOKENS`) */
  maxTokens: number;
}

/** The coordinator's answer, waiting for the first one that arrives. */
export function nextHealth(ctx: AppContext): Promise<Health> {
  return new Promise((resolve) => {
    const off = ctx.status.subscribe((c) => {
      if (c.state !== 'online') return;
      queueMicrotask(() => off());
      resolve(c.health);
    });
  });
}

/** Values the pages publish for automation (end-to-end tests read them). */
export interface AiloProbe {
  chat: {
    ready: boolean;
    backend: string;
    cache: string;
    lastIds: number[];
    lastText: string;
    /** solo chat: logits of the last prompt position (parity checks between backends) */
    promptLogits?: number[];
    error?: string;
  };
  worker: { state: string; span?: string; steps: number; backend?: string; error?: string };
  wallet: { address?: string; height: number };
}

declare global {
  interface Window {
    ailo: AiloProbe;
  }
}

/** The page's probe object, created on first use. */
export function probe(): AiloProbe {
  window.ailo ??= {
    chat: { ready: false, backend: '', cache: '', lastIds: [], lastText: '' },
    worker: { state: 'idle', steps: 0 },
    wallet: { height: 0 },
  };
  return window.ailo;
}
