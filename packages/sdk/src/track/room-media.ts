import type { Grants, SwitchboardError } from '../protocol/index.js';
import type { AnyNotification, JoinResult } from '../signaling/server-frame.js';
import type { TransportSession } from '../transport/session.js';
import type { LocalTrack } from './local-track.js';
import type { MediaRoom } from './media-plane.js';
import type { PublishOptions } from './publish-options.js';
import type { RemoteTrack } from './remote-track.js';

/**
 * A room's audio and video as the room drives it: MediaPlane with mediasoup-client, or
 * NoMedia for the data-only entry point, which must not bundle any of it.
 */
export interface RoomMedia {
  readonly tracks: ReadonlyMap<string, RemoteTrack>;
  readonly localTracks: ReadonlyMap<string, LocalTrack>;
  publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalTrack>;
  joined(result: JoinResult): void;
  ready(session: TransportSession): void;
  lost(): void;
  closed(error: SwitchboardError): void;
  peerLeft(peerId: string): void;
  /** Our grants changed: without `publish`, our tracks end (the server closed them). */
  grantsChanged(grants: Grants): void;
  notified(notification: AnyNotification): void;
}

/** Makes a room's media side, given what it needs of the room. */
export type MediaFactory = (room: MediaRoom) => RoomMedia;
