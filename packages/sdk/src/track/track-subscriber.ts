import type { Consumer } from 'mediasoup-client/types';
import { RequestError } from '../errors.js';
import type { Grants, SwitchboardError } from '../protocol/index.js';
import type { MediaSession } from '../transport/rtc-session.js';
import type { PreferredLayers, Reception, RemoteTrack, RemoteTrackHost } from './remote-track.js';
import { asSwitchboardError } from './track-errors.js';

/** What a {@link TrackSubscriber} needs from its room. */
export interface SubscriberHost {
  /** The token's grants. */
  grants(): Grants;
  /** `track` is being received, by a new consumer. */
  subscribed(track: RemoteTrack): void;
  /** Subscribing to `track` failed for good. */
  subscriptionFailed(track: RemoteTrack, error: SwitchboardError): void;
}

/**
 * Creates and closes consumers for remote tracks on the current connection: consume, set up the
 * mediasoup-client Consumer, then resume it (the server creates it paused, so no media is lost
 * before the client is ready). After a reconnect, every wanted track is consumed again.
 */
export class TrackSubscriber implements RemoteTrackHost {
  private session: MediaSession | undefined;

  constructor(private readonly host: SubscriberHost) {}

  canSubscribe(): boolean {
    return this.host.grants().subscribe;
  }

  /** A connection is ready: receives every wanted track on it. */
  ready(session: MediaSession, tracks: Iterable<RemoteTrack>): void {
    this.session = session;
    for (const track of tracks) this.ensure(track);
  }

  /** The connection dropped, and our consumers with its transports. */
  lost(tracks: Iterable<RemoteTrack>): void {
    this.session = undefined;
    for (const track of tracks) track.receptionEnded();
  }

  ensure(track: RemoteTrack): void {
    const session = this.session;
    const trackId = track.pendingTrackId();
    if (session === undefined || trackId === undefined || track.consuming) return;
    track.consuming = true;
    // Once done, whatever changed meanwhile (a republication, a new connection) gets its turn.
    void this.consume(track, session, trackId).finally(() => {
      track.consuming = false;
      this.ensure(track);
    });
  }

  async release({ consumer, session }: Reception): Promise<void> {
    if (consumer.closed) return;
    consumer.close();
    if (session.closed) return;
    // Best effort: the server's consumer ends with our transport anyway.
    await session.request('closeConsumer', { consumerId: consumer.id }).catch(() => undefined);
  }

  async applyLayers({ consumer, session }: Reception, layers: PreferredLayers): Promise<void> {
    try {
      await session.request('setPreferredLayers', { consumerId: consumer.id, ...layers });
    } catch (error) {
      // The next consumer is created with the layers; only the server's refusal is news.
      if (session.closed || consumer.closed) return;
      throw error;
    }
  }

  private async consume(track: RemoteTrack, session: MediaSession, trackId: string): Promise<void> {
    // Stale: the connection changed, or the track was republished, unsubscribed or removed.
    const stale = (): boolean => session !== this.session || session.closed || track.pendingTrackId() !== trackId;
    let consumer: Consumer | undefined;
    try {
      const info = await session.request('consume', { trackId });
      const options = { id: info.id, producerId: info.trackId, kind: info.kind, rtpParameters: info.rtpParameters };
      const { encryption } = session;
      consumer = await session.recvTransport.consume(encryption ? encryption.consumerOptions(options, track.peerId, track.name) : options);
      const layers = track.preferredLayers();
      // Before resuming, so the first frames are already of the layer asked for. A track
      // without layers refuses; it has nothing to choose from, so that is no failure.
      if (layers !== undefined && !stale()) await this.applyLayers({ consumer, session, trackId }, layers).catch(() => undefined);
      if (!stale()) await session.request('resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      if (consumer !== undefined) void this.release({ consumer, session, trackId });
      if (stale()) return;
      // The publication is gone; its trackUnpublished notification is on its way.
      if (error instanceof RequestError && error.code === 'NOT_FOUND') {
        track.withdraw();
        return;
      }
      const failure = asSwitchboardError(error, `cannot subscribe to track "${track.name}"`);
      track.subscribeFailed(failure);
      this.host.subscriptionFailed(track, failure);
      return;
    }
    if (stale()) {
      void this.release({ consumer, session, trackId });
      return;
    }
    const previous = track.received({ consumer, session, trackId });
    if (previous !== undefined) void this.release(previous);
    this.host.subscribed(track);
  }
}
