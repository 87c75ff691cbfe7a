export { bfloat16ToFloat32, float32ToBfloat16 } from './bfloat16';
export * from './constants';
export { type DecodeOptions, decodeValue } from './decodeValue';
export { DTYPES, type DType, type DTypeArrays, dtypeCode, dtypeOfCode, isDType, itemBytes } from './dtype';
export { encodeValue, type WireValue } from './encodeValue';
export { type Body, checkEnvelope, decodeEnvelope, type Envelope, encodeEnvelope } from './envelope';
export {
  closeCodeOf,
  ERROR_CODE_LIST,
  ERROR_CODES,
  type ErrorCode,
  errorCodeOfClose,
  isErrorCode,
  isRetryable,
} from './errorCodes';
export { float16BitsToNumber, float16ToFloat32, float32ToFloat16, numberToFloat16Bits } from './float16';
export { type Challenge, createChallenge } from './handshake/createChallenge';
export { helloMessage } from './handshake/helloMessage';
export { createIdentity, type Identity, peerIdOf } from './handshake/identity';
export { SeenNonces } from './handshake/SeenNonces';
export { type Hello, type HelloOptions, NO_CAPABILITIES, signHello } from './handshake/signHello';
export { type VerifiedHello, verifyHello } from './handshake/verifyHello';
export { DEFAULT_LIMITS, type Limits, resolveLimits } from './limits';
export { decodeMessage, encodeMessage, type MessageCodecOptions } from './message';
export {
  type BodyOf,
  CATALOGUE,
  type MessageBodies,
  type MessageReplies,
  type ReplyOf,
} from './messages/catalogue';
export * from './messages/inference';
export * from './messages/ledger';
export {
  defaultRegistry,
  MessageRegistry,
  type RegisterOptions,
  registerMessage,
} from './messages/MessageRegistry';
export { type MessageKind, type MessageSpec, message } from './messages/MessageSpec';
export * from './messages/model';
export * from './messages/session';
export * from './messages/training';
export {
  Bin,
  DTypeSchema,
  ErrorCodeSchema,
  FixedBin,
  Hash32,
  Name,
  PublicKey,
  Signature,
  type TBin,
  TensorSchema,
  type TTensor,
  U32,
  UInt,
} from './messages/wireTypes';
export { type ErrorBody, ProtocolError, type ProtocolErrorOptions } from './ProtocolError';
export { type ClientHandshakeOptions, clientHandshake } from './peer/clientHandshake';
export {
  type FrameSocket,
  SOCKET_CLOSED,
  SOCKET_CLOSING,
  SOCKET_CONNECTING,
  SOCKET_OPEN,
  socketOpen,
} from './peer/FrameSocket';
export {
  type ClientPeerOptions,
  connect,
  openClientPeer,
  openServerPeer,
  type ServerPeerOptions,
} from './peer/openPeer';
export { type Handler, type HandlerContext, Peer, type PeerOptions, type RequestOptions } from './peer/Peer';
export { type ServerHandshakeOptions, serverHandshake } from './peer/serverHandshake';
export { elementCount, isTensor, type Tensor, type TensorOf, tensor, tensorProblem } from './tensor';
export { fromVectorJson, toVectorJson, type VectorJson } from './vectorJson';
