import type { TrainerEvent } from '@ailo/node/worker';

/** Page → browser worker. */
export type ToWorker =
  | {
      type: 'start';
      /** `ws(s)://host:port` of the coordinator */
      coordinator: string;
      /** wallet secret key, hex: the node id, and where rewards go */
      secretKeyHex: string;
      backend: 'auto' | 'wasm' | 'webgpu';
      /** onnxruntime-web runtime files */
      wasmPaths: string;
      /** serve this span instead of the coordinator's choice */
      layers?: { start: number; end: number };
      /** also train in federated rounds on this private text (never sent anywhere) */
      trainingText?: string;
    }
  | { type: 'stop' };

/** Browser worker → page. */
export type FromWorker =
  | { type: 'state'; state: 'connecting' | 'joined' | 'offline' | 'stopped' | 'failed'; detail?: string }
  | { type: 'backend'; name: 'wasm' | 'webgpu'; fallbackReason?: string; isolated: boolean }
  | { type: 'progress'; key: string; bytes: number; total: number | undefined }
  | { type: 'cache'; kind: 'indexeddb' | 'memory'; reason?: string }
  | { type: 'serving'; span: string }
  | { type: 'steps'; steps: number; sessions: number }
  | { type: 'trainer'; event: TrainerEvent }
  /** a federated round closed; `reward` in base units (0 when this trainer's update was not accepted) */
  | { type: 'roundResult'; round: number; accepted: number; rejected: number; reward: number };
