/**
 * The data-only entry point: rooms, messages, RPC and peers, without audio/video and without
 * mediasoup-client, for pages and bots that only exchange data. Its `connect` takes the same
 * options as the full SDK's, less those of media; the room's `publish` is refused with
 * `UNSUPPORTED` and it sees no tracks.
 *
 * ```ts
 * import { connect } from '@switchboard/sdk/data';
 * ```
 *
 * @packageDocumentation
 */
import type { WebSocketLike } from './env/environment.js';
import type { AnyMessages, MessageMap } from './messages/message-types.js';
import { openRoom, type RoomOptions } from './open-room.js';
import type { Room } from './room.js';
import { NoMedia } from './track/no-media.js';
import { DataSession } from './transport/data-session.js';

/** Where WebSockets and RTCPeerConnections come from (default: the browser's globals). */
export interface DataEnvironment {
  createWebSocket(url: string): WebSocketLike;
  RTCPeerConnection: typeof RTCPeerConnection;
}

/** Options of the data-only {@link connect}. */
export interface DataConnectOptions<M extends MessageMap = AnyMessages> extends RoomOptions<M> {
  /** In Node: `{ createWebSocket: (url) => new WebSocket(url), RTCPeerConnection: wrtc.RTCPeerConnection }`. */
  environment?: DataEnvironment;
}

/**
 * Joins a room for data only: signaling at `url`, then the data channels, with the same typed
 * errors as the full SDK's `connect`.
 */
export function connect<M extends MessageMap = AnyMessages>(url: string | readonly string[], token: string, options: DataConnectOptions<M> = {}): Promise<Room<M>> {
  const environment = options.environment ?? { createWebSocket: (target: string) => new WebSocket(target), RTCPeerConnection };
  return openRoom(url, token, options, {
    environment,
    createSession: (sessionOptions) => new DataSession({ ...sessionOptions, RTCPeerConnection: environment.RTCPeerConnection }),
    createMedia: () => new NoMedia(),
    RTCPeerConnection: environment.RTCPeerConnection,
  });
}

export * from './room-api.js';
