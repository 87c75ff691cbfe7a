import type { Command } from 'commander';
import { parseIntOption } from '../cli/parseLayers';
import { parseRateOption } from '../cli/parseRateOption';
import { DEFAULT_COORDINATOR_PORT } from '../constants';
import { DEMO_DEFAULTS } from '../demo/DemoOptions';

const collect = (v: string, prev: string[]) => [...prev, v];

/** `ailo demo`, `ailo coordinator`, `ailo worker`. */
export function registerNetworkCommands(program: Command): void {
  program
    .command('coordinator')
    .description('run a coordinator: accept workers, route distributed inference, serve the HTTP API')
    .option('--port <port>', 'WebSocket and HTTP port', parseIntOption('--port'), DEFAULT_COORDINATOR_PORT)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--http-port <port>', 'also serve the HTTP API on this port', parseIntOption('--http-port'))
    .option('--data-dir <dir>', 'persistent state (default ~/.ailo/coordinator)')
    .option('--model <dir>', 'model directory (HF or packed); repeatable, first is the default', collect, [])
    .option('--model-id <id>', 'name of the first model (default: its directory name)')
    .option(
      '--stages <k>',
      'split models into k spans for workers joining with --layers auto',
      parseIntOption('--stages', 1),
    )
    .option('--max-sessions <n>', 'generation sessions at once', parseIntOption('--max-sessions', 1))
    .option(
      '--rounds <r>',
      'run r federated rounds on the default model (validated on held-out Brown text)',
      parseIntOption('--rounds', 1),
    )
    .option(
      '--min-trainers <n>',
      'start each round once n trainers are connected',
      parseIntOption('--min-trainers', 1),
      1,
    )
    .option('--chain-id <id>', 'ledger chain id (default ailo-local)')
    .option(
      '--handshake-timeout <ms>',
      'close connections without a signed hello after this',
      parseIntOption('--handshake-timeout', 1),
    )
    .option(
      '--max-connections-per-ip <n>',
      'open connections per IP address',
      parseIntOption('--max-connections-per-ip', 1),
    )
    .option(
      '--submit-limit <burst:perSecond>',
      'federated updates per identity (token bucket)',
      parseRateOption('--submit-limit'),
    )
    .option(
      '--inference-limit <burst:perSecond>',
      'completion requests per client IP (token bucket)',
      parseRateOption('--inference-limit'),
    )
    .option(
      '--cors-origin <origin>',
      'let pages from this origin call the HTTP API (repeatable; * for any)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--verbose', 'debug logs (JSON lines on stderr)')
    .option('--json', 'print events as JSON lines')
    .action(async (o) => {
      const { coordinatorCommand } = await import('../cli/coordinatorCommand');
      await coordinatorCommand(o);
    });

  program
    .command('worker')
    .description('run a worker: serve a span of layers for a coordinator')
    .requiredOption('--coordinator <url>', 'ws://HOST:PORT of the coordinator')
    .option('--wallet <file>', 'key file (ailo wallet new); default: a fresh identity')
    .option('--layers <a:b|auto>', 'layers [a, b) to serve, or auto', 'auto')
    .option('--model <id>', "model id (default: the coordinator's default)")
    .option('--backend <name>', 'cpu | cuda | ref', 'cpu')
    .option('--threads <n>', 'ONNX Runtime threads (default: one per core)', parseIntOption('--threads', 1))
    .option('--memory <MB>', 'memory budget for weights and activations', parseIntOption('--memory', 1))
    .option('--max-sessions <n>', 'sessions held at once', parseIntOption('--max-sessions', 1))
    .option('--cache-dir <dir>', 'keep fetched chunks here')
    .option(
      '--link <[host:]port>',
      'accept decode steps straight from other workers on this address (port 0: any); they must reach it',
    )
    .option('--corpus <brown:GENRE>', 'train in federated rounds on Brown corpus genres (comma-separated)')
    .option('--data <file>', 'train in federated rounds on a UTF-8 text file')
    .option('--verbose', 'debug logs (JSON lines on stderr)')
    .option('--json', 'print events as JSON lines')
    .action(async (o) => {
      const { workerCommand } = await import('../cli/workerCommand');
      await workerCommand(o);
    });

  program
    .command('demo')
    .description(
      'run a coordinator and workers on localhost: train on the Brown corpus, reward on the ledger, then serve chat',
    )
    .option(
      '--workers <n>',
      'workers (each trains on its own genre group)',
      parseIntOption('--workers', 1),
      DEMO_DEFAULTS.workers,
    )
    .option('--rounds <r>', 'federated rounds', parseIntOption('--rounds', 0), DEMO_DEFAULTS.rounds)
    .option(
      '--port <port>',
      'coordinator port (0 = any free port)',
      parseIntOption('--port'),
      DEMO_DEFAULTS.port,
    )
    .option('--data-dir <dir>', 'where the model and the ledger are kept (default ~/.ailo/demo)')
    .option('--no-serve', 'exit after the summary')
    .option('--json', 'print the final summary as one JSON object on the last line')
    .option(
      '--layers <n>',
      'model layers (when the model is created)',
      parseIntOption('--layers', 1),
      DEMO_DEFAULTS.layers,
    )
    .option(
      '--hidden <d>',
      'model width (when the model is created)',
      parseIntOption('--hidden', 8),
      DEMO_DEFAULTS.hidden,
    )
    .option(
      '--heads <h>',
      'attention heads (when the model is created)',
      parseIntOption('--heads', 1),
      DEMO_DEFAULTS.heads,
    )
    .option(
      '--steps <k>',
      'optimizer steps per worker per round',
      parseIntOption('--steps', 1),
      DEMO_DEFAULTS.steps,
    )
    .option('--prompt <text>', 'prompt of the sample generation', DEMO_DEFAULTS.prompt)
    .option(
      '--max-tokens <n>',
      'tokens of the sample generation',
      parseIntOption('--max-tokens', 1),
      DEMO_DEFAULTS.maxTokens,
    )
    .option('--verbose', 'debug logs (JSON lines on stderr)')
    .action(async (o) => {
      const { demoCommand } = await import('../cli/demoCommand');
      await demoCommand(o);
    });
}
