import type { SwitchboardError } from '../protocol/index.js';
import type { LocalTrack, LocalTrackEndReason } from './local-track.js';
import type { RemoteTrack } from './remote-track.js';

/** A remote track changed: published, unpublished, muted, unmuted or (re)subscribed. */
export interface RemoteTrackEvent {
  track: RemoteTrack;
}

/** Subscribing to a remote track failed; call `track.subscribe()` to try again. */
export interface TrackSubscriptionFailedEvent {
  track: RemoteTrack;
  error: SwitchboardError;
}

/** One of this peer's tracks is no longer published. */
export interface LocalTrackUnpublishedEvent {
  track: LocalTrack;
  /** `stopped` (by `stop()`), `ended` (its media track ended, e.g. screen sharing was stopped), or `failed`. */
  reason: LocalTrackEndReason;
  /** Why publishing it again after a reconnect failed (reason `failed`). */
  error?: SwitchboardError;
}

/** The loudest peer of the room changed. */
export interface ActiveSpeakerEvent {
  peerId: string;
}

/** The media events of a room. */
export interface TrackEvents {
  /**
   * Another peer published a track (or had published one when this peer joined: those are
   * emitted right after `connect` resolves). Not emitted when a track comes back after its
   * publisher reconnected: the same `RemoteTrack` carries on.
   */
  trackPublished: RemoteTrackEvent;
  /** A remote track is gone for good (its publisher unpublished it, left, or did not come back in time). */
  trackUnpublished: RemoteTrackEvent;
  trackMuted: RemoteTrackEvent;
  trackUnmuted: RemoteTrackEvent;
  /**
   * A remote track is being received: its `mediaStreamTrack` is new. Emitted again after a
   * reconnect or republication; elements given to `attach` switch over by themselves.
   */
  trackSubscribed: RemoteTrackEvent;
  trackSubscriptionFailed: TrackSubscriptionFailedEvent;
  localTrackUnpublished: LocalTrackUnpublishedEvent;
  activeSpeaker: ActiveSpeakerEvent;
}

/** Emits one of the {@link TrackEvents}. */
export type TrackEventEmitter = <K extends keyof TrackEvents>(event: K, payload: TrackEvents[K]) => void;
