import type { LocalTrack } from './local-track.js';
import type { RemoteTrack } from './remote-track.js';
import type { RoomMedia } from './room-media.js';
import { TrackError } from './track-errors.js';


/**
 * The media side of a room joined with the data-only entry point (`@switchboard/sdk/data`): no
 * tracks, and `publish` refused with `UNSUPPORTED`. Other peers' tracks are not announced to it.
 */
export class NoMedia implements RoomMedia {
  readonly tracks: ReadonlyMap<string, RemoteTrack> = new Map();
  readonly localTracks: ReadonlyMap<string, LocalTrack> = new Map();

  publish(): Promise<LocalTrack> {
    return Promise.reject(
      new TrackError('UNSUPPORTED', 'this room was joined with @switchboard/sdk/data, which has no audio or video; use connect from @switchboard/sdk'),
    );
  }

  joined(): void {}
  ready(): void {}
  lost(): void {}
  closed(): void {}
  peerLeft(): void {}
  grantsChanged(): void {}
  notified(): void {}
}
