export * from './room-api.js';
export { connect, type ConnectOptions } from './connect.js';
export type { ServerOrder } from './connection/server-list.js';
export type { BackoffOptions } from './connection/backoff.js';
export { browserEnvironment } from './env/browser.js';
export type { Environment, TlsOptions, WebSocketConstructor } from './env/environment.js';
export { nodeEnvironment, type NodeEnvironmentOptions, type NodeWebRtc } from './env/node.js';
export { decode, encode, ProtocolError, type CloseReason, type DataChannelKind, type Limits, type TrackSource } from './protocol/index.js';
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
