import { MediaEncryption } from './e2ee/media-encryption.js';
import { browserEnvironment } from './env/browser.js';
import type { Environment } from './env/environment.js';
import type { AnyMessages, MessageMap } from './messages/message-types.js';
import { openRoom, type RoomOptions } from './open-room.js';
import type { Room } from './room.js';
import { MediaPlane } from './track/media-plane.js';
import { RtcSession } from './transport/rtc-session.js';

export { signalingUrl, type ReconnectOptions } from './open-room.js';

/** Options of {@link connect}. */
export interface ConnectOptions<M extends MessageMap = AnyMessages> extends RoomOptions<M> {
  /** Where WebSockets and WebRTC come from (default: the browser's). */
  environment?: Environment;
  /**
   * Whether to subscribe to every track other peers publish (default true; only with the
   * `subscribe` grant). With false, call `track.subscribe()` for the tracks wanted.
   */
  autoSubscribe?: boolean;
}

/**
 * Joins a room: opens the signaling connection at `url` (e.g. `ws://127.0.0.1:8080`; the
 * signaling path is appended), joins with `token`, and opens the data channels. With a list of
 * URLs (the nodes of a cluster), a server that cannot be reached or answers `UNAVAILABLE` hands
 * over to the next, at join and on every reconnect. Rejects with a
 * typed error ({@link RequestError} with the server's code, {@link TimeoutError},
 * {@link DisconnectedError}) when it cannot.
 */
export function connect<M extends MessageMap = AnyMessages>(url: string | readonly string[], token: string, options: ConnectOptions<M> = {}): Promise<Room<M>> {
  const environment = options.environment ?? browserEnvironment();
  const encryption = options.e2ee === undefined ? undefined : new MediaEncryption(options.e2ee.keyProvider);
  return openRoom(url, token, options, {
    environment,
    createSession: (sessionOptions) => new RtcSession({ ...sessionOptions, environment, ...(encryption === undefined ? {} : { encryption }) }),
    createMedia: (room) =>
      new MediaPlane(room, { autoSubscribe: options.autoSubscribe ?? true, simulcast: environment.videoSimulcast ?? true, ...(encryption === undefined ? {} : { encryption }) }),
    ...peerConnectionOf(environment),
  });
}

// Direct channels need an RTCPeerConnection class: the environment's, or the global one.
function peerConnectionOf(environment: Environment): { RTCPeerConnection?: typeof RTCPeerConnection } {
  const found = environment.RTCPeerConnection ?? (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection;
  return found === undefined ? {} : { RTCPeerConnection: found };
}
