import ailo840m from './benches/ailo840m';
import fedavg from './benches/fedavg';
import ledger from './benches/ledger';
import network from './benches/network';
import poc from './benches/poc';
import protocol from './benches/protocol';
import sampling from './benches/sampling';
import training from './benches/training';
import virtualTensor from './benches/virtual-tensor';
import type { BenchRegistry } from './runner';

/**
 * The bench modules a bundle carries (`pnpm bench:bundle`), imported
 * statically. `pipeline` is left out: its peer, Transformers.js, brings
 * native image libraries; run it from the sources.
 */
export const BUNDLED_BENCHES: BenchRegistry = {
  ailo840m,
  fedavg,
  ledger,
  network,
  poc,
  protocol,
  sampling,
  training,
  'virtual-tensor': virtualTensor,
};

/** Modules of bench/src/benches that a bundle does not carry, and why. */
export const NOT_BUNDLED: Readonly<Record<string, string>> = {
  pipeline: 'its peer, Transformers.js, brings native image libraries',
};
