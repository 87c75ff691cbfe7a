import { PipelineError } from '@ailo/pipeline';
import { type ErrorCode, ProtocolError } from '@ailo/protocol';
import { NodeError, type NodeErrorCode } from '../../errors';

/** The wire error code (spec §8) of each node error code. */
const NODE_TO_WIRE: Record<NodeErrorCode, ErrorCode> = {
  unknown_model: 'not_found',
  layers_unavailable: 'unavailable',
  overloaded: 'overloaded',
  rate_limited: 'rate_limited',
  bad_request: 'bad_request',
  too_large: 'too_large',
  unknown_session: 'not_found',
  worker_failed: 'unavailable',
  bad_model: 'unavailable',
  version_mismatch: 'version_mismatch',
  unavailable: 'unavailable',
  bad_state: 'internal',
  internal: 'internal',
};

/** Maps an error thrown while serving a request to the typed error reply of spec §8. */
export function toProtocolError(e: unknown): ProtocolError {
  if (e instanceof ProtocolError) return e;
  if (e instanceof PipelineError) {
    switch (e.code) {
      case 'unknown_session':
        return new ProtocolError('not_found', e.shortMessage, { cause: e });
      case 'context_overflow':
      case 'token_out_of_range':
      case 'bad_input':
      case 'empty_input':
        return new ProtocolError('bad_request', e.shortMessage, { cause: e });
      case 'cancelled':
        return new ProtocolError('timeout', e.shortMessage, { cause: e });
      default:
        return new ProtocolError('internal', e.shortMessage, { cause: e, details: e.details ?? e.code });
    }
  }
  if (e instanceof NodeError) {
    return new ProtocolError(NODE_TO_WIRE[e.code], e.shortMessage, { cause: e, retryable: e.retryable });
  }
  return ProtocolError.from(e);
}
