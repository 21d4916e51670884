import type { MediaEncryption, MediaEncryptionHost } from '../e2ee/media-encryption.js';
import type { Grants, SwitchboardError } from '../protocol/index.js';
import type { AnyNotification, JoinResult } from '../signaling/server-frame.js';
import type { TransportSession } from '../transport/session.js';
import type { LocalTrack } from './local-track.js';
import type { PublishOptions } from './publish-options.js';
import type { RemoteTrack } from './remote-track.js';
import type { RoomMedia } from './room-media.js';
import { RemoteTracks } from './remote-tracks.js';
import type { TrackEventEmitter } from './track-events.js';
import { TrackPublisher } from './track-publisher.js';
import { TrackSubscriber } from './track-subscriber.js';

/** How a room handles media, from `connect`'s options and environment. */
export interface MediaOptions {
  /** Subscribe to every new track (with the `subscribe` grant). */
  autoSubscribe: boolean;
  /** Publish video with simulcast unless `publish` says otherwise. */
  simulcast: boolean;
  /** End-to-end encryption of every track, from `connect`'s `e2ee` option. */
  encryption?: MediaEncryption;
}

/** What the media plane needs from its room. */
export interface MediaRoom extends MediaEncryptionHost {
  grants(): Grants;
  selfId(): string;
  inRoom(peerId: string): boolean;
  emit: TrackEventEmitter;
}

// Long enough for a publisher to resume and publish again (a second or two after the server
// noticed the drop), short enough that a track really gone does not linger on screen.
const UNPUBLISH_GRACE_MS = 3_000;

/**
 * A room's audio and video: this peer's published tracks, the other peers' tracks and our
 * subscriptions to them, kept across reconnects. The room forwards its connection's events.
 */
export class MediaPlane implements RoomMedia {
  private readonly publisher: TrackPublisher;
  private readonly subscriber: TrackSubscriber;
  private readonly remote: RemoteTracks;
  private readonly encryption: MediaEncryption | undefined;

  constructor(
    private readonly room: MediaRoom,
    { autoSubscribe, simulcast, encryption }: MediaOptions,
  ) {
    this.encryption = encryption;
    encryption?.attach(room);
    this.publisher = new TrackPublisher({
      grants: room.grants,
      simulcast,
      ended: (track, reason, error) => room.emit('localTrackUnpublished', error === undefined ? { track, reason } : { track, reason, error }),
    });
    this.subscriber = new TrackSubscriber({
      grants: room.grants,
      subscribed: (track) => room.emit('trackSubscribed', { track }),
      subscriptionFailed: (track, error) => room.emit('trackSubscriptionFailed', { track, error }),
    });
    this.remote = new RemoteTracks({
      host: this.subscriber,
      emit: room.emit,
      selfId: room.selfId,
      inRoom: room.inRoom,
      autoSubscribe,
      graceMs: UNPUBLISH_GRACE_MS,
    });
  }

  /** The other peers' tracks, by ID. */
  get tracks(): ReadonlyMap<string, RemoteTrack> {
    return this.remote.tracks;
  }

  /** This peer's tracks, by name. */
  get localTracks(): ReadonlyMap<string, LocalTrack> {
    return this.publisher.published;
  }

  /** Publishes a track (see `Room.publish`). */
  publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalTrack> {
    return this.publisher.publish(track, options);
  }

  /** A join succeeded; call after the room's peer list is updated (it decides grace periods). */
  joined(result: JoinResult): void {
    this.remote.sync(result.tracks);
  }

  /** A connection is up: publishes and subscribes on it. */
  ready(session: TransportSession): void {
    const media = session.media;
    if (media === undefined) return;
    this.publisher.ready(media);
    this.subscriber.ready(media, this.remote.tracks.values());
  }

  /** The connection dropped, and every producer and consumer with it. */
  lost(): void {
    this.publisher.lost();
    this.subscriber.lost(this.remote.tracks.values());
  }

  /** The room is over; `error` fails what is pending. */
  closed(error: SwitchboardError): void {
    this.publisher.closed(error);
    this.remote.closed(error);
    this.encryption?.close();
  }

  /** Our grants changed: a revoked `publish` ends our tracks, which the server closed. */
  grantsChanged(grants: Grants): void {
    if (!grants.publish) this.publisher.revoked();
  }

  /** A peer left the room: its tracks go with it. */
  peerLeft(peerId: string): void {
    this.remote.peerLeft(peerId);
  }

  /** A server notification; the media ones are handled, others ignored. */
  notified(notification: AnyNotification): void {
    switch (notification.method) {
      case 'trackPublished':
        this.remote.published(notification.data.track);
        break;
      case 'trackUnpublished':
        this.remote.unpublished(notification.data.trackId);
        break;
      case 'trackMuted':
      case 'trackUnmuted':
        this.remote.mutedChanged(notification.data.trackId, notification.method === 'trackMuted');
        break;
      case 'consumerClosed':
        this.remote.consumerClosed(notification.data.consumerId);
        break;
      case 'activeSpeaker':
        this.room.emit('activeSpeaker', notification.data);
        break;
    }
  }
}
