import { type TSchema, TypeBoxError } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { ProtocolError } from '../ProtocolError';
import { CATALOGUE } from './catalogue';
import type { MessageKind, MessageSpec } from './MessageSpec';

interface Checker {
  check(value: unknown): boolean;
  firstError(value: unknown): string;
}

/** Compiles with TypeBox's JIT; falls back to the interpreter where `new Function` is blocked (CSP). */
function makeChecker(schema: TSchema): Checker {
  try {
    const compiled = TypeCompiler.Compile(schema);
    return {
      check: (v) => compiled.Check(v),
      firstError: (v) => describe(compiled.Errors(v).First()),
    };
  } catch (error) {
    if (error instanceof TypeBoxError) throw error;
    return {
      check: (v) => Value.Check(schema, v),
      firstError: (v) => describe(Value.Errors(schema, v).First()),
    };
  }
}

function describe(error: { path: string; message: string } | undefined): string {
  return error === undefined ? 'invalid' : `${error.path || '/'}: ${error.message}`;
}

/** Options of {@link MessageRegistry.register}. */
export interface RegisterOptions {
  kind?: MessageKind;
  reply?: string;
  family?: string;
  description?: string;
}

/**
 * Message types known to one side of a connection, with compiled body checkers (spec §9). The
 * built-in catalogue is preloaded; applications add their own types with {@link register}.
 */
export class MessageRegistry {
  private readonly specs = new Map<string, MessageSpec>();
  private readonly checkers = new Map<string, Checker>();

  constructor(specs: readonly MessageSpec[] = CATALOGUE) {
    for (const spec of specs) this.add(spec);
  }

  /** Adds a message spec; `conflict` if the type exists with another schema. */
  add(spec: MessageSpec): this {
    const existing = this.specs.get(spec.type);
    if (existing !== undefined && existing.schema !== spec.schema) {
      throw new ProtocolError('conflict', `message type ${spec.type} is already registered`);
    }
    this.specs.set(spec.type, spec);
    return this;
  }

  /** Adds message type `type` with body `schema` (a request when `reply` is given, else a notify). */
  register(type: string, schema: TSchema, options: RegisterOptions = {}): this {
    const spec: MessageSpec = {
      type,
      schema,
      family: options.family ?? type.split('.')[0]!,
      kind: options.kind ?? (options.reply === undefined ? 'notify' : 'request'),
      description: options.description ?? '',
    };
    if (options.reply !== undefined) spec.reply = options.reply;
    return this.add(spec);
  }

  /** The spec of `type`, if known. */
  get(type: string): MessageSpec | undefined {
    return this.specs.get(type);
  }

  /** Every registered spec, in registration order. */
  list(): MessageSpec[] {
    return [...this.specs.values()];
  }

  /**
   * Checks `body` against the schema of `type`.
   *
   * @throws ProtocolError `unsupported` for an unknown type, `bad_request` for a body that does not match.
   */
  validate(type: string, body: unknown): MessageSpec {
    const spec = this.specs.get(type);
    if (spec === undefined) throw new ProtocolError('unsupported', `unknown message type ${type}`);
    let checker = this.checkers.get(type);
    if (checker === undefined) {
      checker = makeChecker(spec.schema);
      this.checkers.set(type, checker);
    }
    if (!checker.check(body)) {
      throw new ProtocolError('bad_request', `invalid ${type} body`, { details: checker.firstError(body) });
    }
    return spec;
  }
}

/** The registry used when none is given; {@link registerMessage} adds to it. */
export const defaultRegistry = new MessageRegistry();

/** Adds a message type to {@link defaultRegistry}. */
export function registerMessage(type: string, schema: TSchema, options: RegisterOptions = {}): void {
  defaultRegistry.register(type, schema, options);
}
