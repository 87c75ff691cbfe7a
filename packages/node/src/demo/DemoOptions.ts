/** Options of `ailo demo`. */
export interface DemoOptions {
  /** workers started on localhost (each trains on its own Brown genre group and serves a span) */
  workers: number;
  /** federated rounds */
  rounds: number;
  /** coordinator port (0 = any free port) */
  port: number;
  /** the model and the ledger are kept here */
  dataDir: string;
  /** exit after the summary instead of serving */
  serve: boolean;
  /** print the final summary as one JSON object on the last line */
  json: boolean;
  /** model shape (created with random weights if absent) */
  layers: number;
  hidden: number;
  heads: number;
  /** tokens */
  context: number;
  /** optimizer steps per worker per round */
  steps: number;
  /** prompt of the sample generation */
  prompt: string;
  /** tokens of the sample generation */
  maxTokens: number;
  verbose: boolean;
  /** how to start `ailo` for the worker processes (default: the running CLI again) */
  workerCommand?: string[];
}

/** The embedded defaults: four workers, three rounds, a 4-layer d128 GPT-2 with the GPT-2 vocabulary. */
export const DEMO_DEFAULTS: Omit<DemoOptions, 'dataDir'> = {
  workers: 4,
  rounds: 3,
  port: 7420,
  serve: true,
  json: false,
  layers: 4,
  hidden: 128,
  heads: 4,
  context: 128,
  steps: 4,
  prompt: 'The jury said',
  maxTokens: 16,
  verbose: false,
};
