export { connect, type ConnectOptions, type ReconnectOptions } from './connect.js';
export type { ServerOrder } from './connection/server-list.js';
export type { BackoffOptions } from './connection/backoff.js';
export type { ConnectionState, DisconnectReason, DisconnectedEvent } from './connection/connection.js';
export type { Watermarks } from './data-channel/channel.js';
export type { DataStats } from './data-channel/data-plane.js';
export type { DirectChannel, DirectChannelEvents, DirectClosedEvent, DirectMessage, DirectPath, DirectPathChange } from './direct/direct-channel.js';
export type { DirectEvents, DirectRequest } from './direct/direct-channels.js';
export { DirectChannelError } from './direct/direct-error.js';
export type { DirectChannelOptions, DirectOptions, IncomingDirectPolicy } from './direct/direct-options.js';
export { browserEnvironment } from './env/browser.js';
export type { Environment, WebSocketConstructor, WebSocketLike } from './env/environment.js';
export { nodeEnvironment, type NodeEnvironmentOptions, type NodeWebRtc } from './env/node.js';
export {
  DisconnectedError,
  MessageError,
  MessageRejectedError,
  RequestError,
  RpcError,
  TimeoutError,
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
export {
  decode,
  encode,
  ProtocolError,
  SwitchboardError,
  type CloseReason,
  type DataChannelKind,
  type ErrorCode,
  type GrantName,
  type Grants,
  type Limits,
  type PeerInfo,
  type PeerMetadata,
  type TrackSource,
} from './protocol/index.js';
export type {
  ConnectionStateChange,
  GrantsChangedEvent,
  PeerGrantsChangedEvent,
  PeerJoinedEvent,
  PeerLeftEvent,
  PeerUpdatedEvent,
  RoomEvents,
} from './room-events.js';
export type { Room, SelfUpdate } from './room.js';
export type { GrantChangeRequest } from './participant/grant-change-request.js';
export type { RpcCallOptions, RpcContext, RpcHandler } from './rpc/rpc-endpoint.js';
export { IncomingStream, StreamError, StreamHandle, type IncomingStreamEvents, type SendStreamOptions, type StreamEndedBy, type StreamHandleEvents, type StreamProgress, type StreamSource } from './stream/index.js';
export { LocalTrack, type LocalTrackEndReason } from './track/local-track.js';
export { openCamera, openMicrophone, openScreen } from './track/media-devices.js';
export type { PublishOptions, VideoCodec } from './track/publish-options.js';
export { RemoteTrack } from './track/remote-track.js';
export {
  MediaDeviceError,
  TrackError,
  type CaptureDevice,
  type MediaDeviceErrorCode,
  type TrackErrorCode,
} from './track/track-errors.js';
export type {
  ActiveSpeakerEvent,
  LocalTrackUnpublishedEvent,
  RemoteTrackEvent,
  TrackEvents,
  TrackSubscriptionFailedEvent,
} from './track/track-events.js';
