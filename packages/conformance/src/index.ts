/**
 * `@ailo/conformance`: suites that check a node implementation over the wire
 * against `spec/`, in the style of interface-compliance tests. Each case
 * names the spec clause it checks. Runs in Node and browsers given a
 * `dial` function; Node helpers (a `ws` dialer, a listener for workers, the
 * CLI runner) are in `@ailo/conformance/node`.
 * @module
 */
import { federatedSuite } from './suites/federatedSuite';
import { handshakeSuite } from './suites/handshakeSuite';
import { ledgerSuite } from './suites/ledgerSuite';
import { limitsSuite } from './suites/limitsSuite';
import { messagingSuite } from './suites/messagingSuite';
import { stageSuite } from './suites/stageSuite';
import { wireVectorsSuite } from './suites/vectorsSuite';
import type { ConformanceSuite, TargetRole } from './types';

export * from './constants';
export { ConformanceError, type ConformanceErrorCode, type ConformanceErrorOptions } from './errors';
export { type RunOptions, runCase, runSuites } from './runSuites';
export { federatedSuite } from './suites/federatedSuite';
export { handshakeSuite } from './suites/handshakeSuite';
export { ledgerSuite } from './suites/ledgerSuite';
export { limitsSuite } from './suites/limitsSuite';
export { messagingSuite } from './suites/messagingSuite';
export { stageSuite } from './suites/stageSuite';
export { codecVectorsSuite, type FrameCodec, referenceCodec, wireVectorsSuite } from './suites/vectorsSuite';
export type {
  CaseResult,
  ConformanceCase,
  ConformanceContext,
  ConformanceSuite,
  ReferenceLogits,
  TargetRole,
} from './types';
export { type ProtocolVector, VECTOR_FILES } from './vectors';
export { type CloseInfo, type RequestResponder, WireConnection } from './wire/WireConnection';

/**
 * The suites for a role, in the order they should run: a coordinator is
 * dialled (vectors, handshake, messaging, limits, ledger, federated); a
 * worker dials us and is driven as its coordinator would (stage).
 */
export function suitesFor(role: TargetRole): ConformanceSuite[] {
  if (role === 'worker') return [stageSuite()];
  return [
    wireVectorsSuite(),
    handshakeSuite(),
    messagingSuite(),
    limitsSuite(),
    ledgerSuite(),
    federatedSuite(),
  ];
}
