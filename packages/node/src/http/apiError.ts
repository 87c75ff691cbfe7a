import { PipelineError } from '@ailo/pipeline';
import { NodeError } from '../errors';

/** An OpenAI-shaped error body with its HTTP status. */
export interface ApiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string } };
  headers?: Record<string, string>;
}

const STATUS: Record<string, [number, string]> = {
  bad_request: [400, 'invalid_request_error'],
  unknown_session: [400, 'invalid_request_error'],
  too_large: [413, 'invalid_request_error'],
  unknown_model: [404, 'invalid_request_error'],
  overloaded: [429, 'rate_limit_error'],
  rate_limited: [429, 'rate_limit_error'],
  layers_unavailable: [503, 'server_error'],
  worker_failed: [503, 'server_error'],
  unavailable: [503, 'server_error'],
};

/** A request error to report with the given code, `param` naming the offending field. */
export function badParam(
  message: string,
  param: string | null,
  code = 'invalid_value',
): NodeError & { param: string | null; apiCode: string } {
  return Object.assign(new NodeError('bad_request', message), { param, apiCode: code });
}

/** Maps anything thrown while serving an API request to an OpenAI-style error response. */
export function toApiError(e: unknown): ApiError {
  const extra = e as { param?: string | null; apiCode?: string };
  if (e instanceof NodeError) {
    const [status, type] = STATUS[e.code] ?? [500, 'server_error'];
    const code = extra.apiCode ?? (e.code === 'unknown_model' ? 'model_not_found' : e.code);
    const err: ApiError = {
      status,
      body: {
        error: {
          message: e.shortMessage,
          type,
          param: extra.param ?? (e.code === 'unknown_model' ? 'model' : null),
          code,
        },
      },
    };
    if (e.code === 'overloaded') err.headers = { 'retry-after': '1' };
    return err;
  }
  if (e instanceof PipelineError) {
    const client = ['bad_input', 'token_out_of_range', 'empty_input', 'context_overflow'].includes(e.code);
    const code = e.code === 'context_overflow' ? 'context_length_exceeded' : e.code;
    return {
      status: client ? 400 : 500,
      body: {
        error: {
          message: e.shortMessage,
          type: client ? 'invalid_request_error' : 'server_error',
          param: null,
          code,
        },
      },
    };
  }
  return {
    status: 500,
    body: { error: { message: 'internal error', type: 'server_error', param: null, code: 'internal' } },
  };
}
