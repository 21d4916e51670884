// The room API that both entry points (`@switchboard/sdk` and `@switchboard/sdk/data`) export:
// rooms, messages, streams, RPC, direct channels, peers and their errors; everything but
// `connect` and audio/video.
export type { ConnectionState, DisconnectReason, DisconnectedEvent } from './connection/connection.js';
export type { Watermarks } from './data-channel/channel.js';
export type { DataStats } from './data-channel/data-plane.js';
export type { LossyDropReason } from './data-channel/lossy-sender.js';
export type { DirectChannel, DirectChannelEvents, DirectClosedEvent, DirectMessage, DirectPath, DirectPathChange } from './direct/direct-channel.js';
export type { DirectEvents, DirectRequest } from './direct/direct-channels.js';
export { DirectChannelError } from './direct/direct-error.js';
export type { DirectChannelOptions, DirectOptions, IncomingDirectPolicy } from './direct/direct-options.js';
export { E2EEError, type DecryptionFailedEvent, type DecryptionFailure, type E2EEErrorCode, type EncryptedSource } from './e2ee/e2ee-error.js';
export type { E2EEOptions } from './e2ee/e2ee-options.js';
export { ExternalKeyProvider, type EncryptionKey, type ExternalKeyProviderOptions, type KeyProvider, type SetKeyOptions } from './e2ee/key-provider.js';
export type { WebSocketLike } from './env/environment.js';
export {
  ConnectionError,
  DisconnectedError,
  IceLoopbackError,
  MessageError,
  MessageRejectedError,
  RequestError,
  RpcError,
  TimeoutError,
  type ConnectionFailure,
  type MessageErrorCode,
} from './errors.js';
export type { Listener, Unsubscribe } from './events.js';
export {
  defineMessages,
  type AnyMessages,
  type AnyReceivedMessage,
  type MessageMap,
  type MessageSchema,
  type MessageType,
  type ReceivedMessage,
  type Recipients,
  type SendOptions,
  type TypedMessageEvents,
} from './messages/message-types.js';
export type { ReconnectOptions, RoomOptions } from './open-room.js';
export type { GrantChangeRequest } from './participant/grant-change-request.js';
export { SwitchboardError, type ErrorCode, type GrantName, type Grants, type PeerInfo, type PeerMetadata } from './protocol/index.js';
export type {
  ConnectionStateChange,
  GrantsChangedEvent,
  LossyDroppedEvent,
  MessagesLostEvent,
  PeerGrantsChangedEvent,
  PeerJoinedEvent,
  PeerLeftEvent,
  PeerUpdatedEvent,
  RoomEvents,
} from './room-events.js';
export type { Room, SelfUpdate } from './room.js';
export type { RpcCallOptions, RpcContext, RpcHandler } from './rpc/rpc-endpoint.js';
export {
  IncomingStream,
  StreamError,
  StreamHandle,
  type IncomingStreamEvents,
  type SendStreamOptions,
  type StreamEndedBy,
  type StreamHandleEvents,
  type StreamProgress,
  type StreamSource,
} from './stream/index.js';
