import type { RemoteTrack, Room, TrackEvents } from '../../src/index.js';

/** The room events about other peers' tracks. */
export type RemoteEvent = Exclude<keyof TrackEvents, 'localTrackUnpublished' | 'activeSpeaker'>;
const REMOTE_EVENTS: RemoteEvent[] = ['trackPublished', 'trackUnpublished', 'trackMuted', 'trackUnmuted', 'trackSubscribed', 'trackSubscriptionFailed'];

/** One remote-track event as a room emitted it. */
export interface TrackLogEntry {
  event: RemoteEvent;
  track: RemoteTrack;
}

/** The remote-track events of a room, in order, from now on. */
export function recordTracks(room: Room): TrackLogEntry[] {
  const log: TrackLogEntry[] = [];
  for (const event of REMOTE_EVENTS) room.on(event, ({ track }) => log.push({ event, track }));
  return log;
}

/** The tracks of the `event` entries of `log`, in order. */
export function named(log: readonly TrackLogEntry[], event: RemoteEvent): RemoteTrack[] {
  return log.filter((entry) => entry.event === event).map((entry) => entry.track);
}
