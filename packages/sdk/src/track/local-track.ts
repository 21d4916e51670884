import type { MediaKind, Producer } from 'mediasoup-client/types';
import type { SwitchboardError, TrackSource } from '../protocol/index.js';
import type { MediaSession } from '../transport/rtc-session.js';
import { producerOptions, type Publication } from './publish-options.js';
import { asSwitchboardError, emptyStatsReport, TrackError } from './track-errors.js';

/** Why a {@link LocalTrack} stopped being published: `stop()`, its media track ended, or a failure. */
export type LocalTrackEndReason = 'stopped' | 'ended' | 'failed';

/** @internal What a LocalTrack needs from the room's publisher. */
export interface LocalTrackHost {
  /** The track is over (after its first publication): the room forgets it and says so. */
  ended(track: LocalTrack, reason: LocalTrackEndReason, error?: SwitchboardError): void;
}

/**
 * A track this peer publishes, from `room.publish`. It stays published across reconnects: on
 * each new connection the SDK publishes the same media track again, under the same name and
 * with the same mute state (with a new {@link id}).
 */
export class LocalTrack {
  readonly kind: MediaKind;
  /** The name subscribers see, unique among this peer's tracks. */
  readonly name: string;
  readonly source: TrackSource;
  /** @internal Resolves on the first publication; rejects if it fails or the room ends first. */
  readonly published: Promise<void>;
  private track: MediaStreamTrack;
  private isMuted = false;
  private trackId = '';
  private producer: Producer | undefined;
  private producerSession: MediaSession | undefined;
  // The pause state the server has for `producer`.
  private serverMuted = false;
  private live = false;
  private over = false;
  private settleFirst!: { resolve: () => void; reject: (error: SwitchboardError) => void };
  // Publications, mute changes, replacements and the final close run one at a time, in order:
  // each depends on the producer the one before left.
  private queue: Promise<void> = Promise.resolve();

  /** @internal Tracks are made by `room.publish`. */
  constructor(
    track: MediaStreamTrack,
    private readonly publication: Publication,
    private readonly host: LocalTrackHost,
  ) {
    this.track = track;
    this.kind = track.kind as MediaKind;
    this.name = publication.name;
    this.source = publication.source;
    this.published = new Promise((resolve, reject) => (this.settleFirst = { resolve, reject }));
  }

  /** The server's ID of the current publication; it changes when a reconnect publishes again. */
  get id(): string {
    return this.trackId;
  }

  /** True while muted: nothing is sent, and subscribers see the track as muted. */
  get muted(): boolean {
    return this.isMuted;
  }

  /** The media track being sent (the one given to `publish`, or to {@link replaceTrack}). */
  get mediaStreamTrack(): MediaStreamTrack {
    return this.track;
  }

  /**
   * Stops sending (the media track is disabled, so a local preview goes dark too) and tells
   * subscribers (`trackMuted`). Rejects with {@link RequestError} if the server refuses.
   */
  mute(): Promise<void> {
    return this.setMuted(true);
  }

  /** Sends again after {@link mute}; subscribers get `trackUnmuted`. */
  unmute(): Promise<void> {
    return this.setMuted(false);
  }

  /**
   * Sends `track` instead, e.g. another camera, without subscribers noticing a new track. The
   * previous media track is not stopped: stop it if it is no longer needed. Throws
   * {@link TrackError} `MALFORMED` for a track of another kind or one that has ended.
   */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    if (track.kind !== this.kind) throw new TrackError('MALFORMED', `cannot replace a ${this.kind} track with a ${track.kind} one`);
    if (track.readyState === 'ended') throw new TrackError('MALFORMED', 'cannot send a track that has ended');
    if (this.over) throw new TrackError('NOT_FOUND', `"${this.name}" is no longer published`);
    this.track = track;
    track.enabled = !this.isMuted;
    await this.serial(async () => {
      const { producer } = this;
      // Without a live producer, the next publication sends the new track.
      if (producer === undefined || producer.closed || this.track !== track) return;
      try {
        await producer.replaceTrack({ track });
      } catch (error) {
        if (producer.closed) return;
        throw asSwitchboardError(error, `cannot replace the track of "${this.name}"`);
      }
    });
  }

  /**
   * Unpublishes the track for good and stops its media track (the camera light goes off).
   * Subscribers get `trackUnpublished`; this room emits `localTrackUnpublished`. Never rejects.
   */
  async stop(): Promise<void> {
    // Even once the room is over: the camera light must go off.
    this.track.stop();
    if (this.over) return;
    this.end('stopped');
    await this.serial(() => this.closeProducer());
  }

  /**
   * The sender's WebRTC statistics; empty while nothing is sent (reconnecting, or stopped).
   * Browsers only: `@roamhq/wrtc` in Node cannot report them.
   */
  async getStats(): Promise<RTCStatsReport> {
    const { producer } = this;
    return producer === undefined || producer.closed ? emptyStatsReport() : producer.getStats();
  }

  /** @internal Publishes on `session`: the first time, or again on a new connection. */
  publishOn(session: MediaSession): Promise<void> {
    return this.serial(async () => {
      if (this.over || session.closed || this.producerSession === session) return;
      if (this.track.readyState === 'ended') {
        this.end('ended');
        return;
      }
      try {
        // Only a session joined with `publish` (or sendData) has one; a grant given since makes the SDK resume for it.
        if (!session.sendTransport) throw new TrackError('PERMISSION_DENIED', 'this session has no send transport: it joined without the publish grant');
        const options = producerOptions(this.track, this.publication, session.device);
        const { encryption } = session;
        const producer = await session.sendTransport.produce(encryption ? encryption.producerOptions(options, session.device.rtpCapabilities.codecs ?? []) : options);
        this.producer = producer;
        this.producerSession = session;
        this.trackId = producer.id;
        this.serverMuted = false;
        producer.on('trackended', () => this.trackEnded());
        await this.syncMuted();
      } catch (error) {
        // A connection that dropped meanwhile is no failure: the next one publishes again.
        if (session.closed) return;
        // Published but not muted as it should be: withdrawn rather than shown.
        await this.closeProducer();
        this.end('failed', asSwitchboardError(error, `cannot publish "${this.name}"`));
        return;
      }
      this.live = true;
      this.settleFirst.resolve();
    });
  }

  /** @internal The room is over: nothing is published any more, and nothing will be. */
  roomClosed(error: SwitchboardError): void {
    this.over = true;
    if (!this.live) this.settleFirst.reject(error);
  }

  /** @internal The peer may no longer publish: the track ends with `error`, its media track stays as it is. */
  revoked(error: SwitchboardError): void {
    if (this.over) return;
    this.end('failed', error);
    void this.serial(() => this.closeProducer());
  }

  private setMuted(muted: boolean): Promise<void> {
    if (this.over) return Promise.resolve();
    this.isMuted = muted;
    // As mediasoup-client does on pause, so that a track muted while disconnected is dark too.
    this.track.enabled = !muted;
    return this.serial(() => this.syncMuted());
  }

  /** Brings the producer and the server in line with {@link muted}. */
  private async syncMuted(): Promise<void> {
    const { producer, producerSession: session } = this;
    const muted = this.isMuted;
    if (producer === undefined || session === undefined || producer.closed || this.serverMuted === muted) return;
    if (muted) producer.pause();
    else producer.resume();
    try {
      await session.request(muted ? 'pauseProducer' : 'resumeProducer', { trackId: producer.id });
      this.serverMuted = muted;
    } catch (error) {
      // The next connection publishes with the current state.
      if (session.closed) return;
      throw error;
    }
  }

  private trackEnded(): void {
    if (this.over) return;
    this.end('ended');
    void this.serial(() => this.closeProducer());
  }

  private end(reason: LocalTrackEndReason, error?: SwitchboardError): void {
    this.over = true;
    if (this.live) this.host.ended(this, reason, error);
    else this.settleFirst.reject(error ?? new TrackError('MALFORMED', `the media track of "${this.name}" ended before it was published`));
  }

  private async closeProducer(): Promise<void> {
    const { producer, producerSession: session } = this;
    this.producer = undefined;
    this.producerSession = undefined;
    if (producer === undefined || session === undefined || producer.closed) return;
    producer.close();
    // Best effort: if the request fails, the producer still ends with our transport.
    await session.request('closeProducer', { trackId: producer.id }).catch(() => undefined);
  }

  private serial(operation: () => Promise<void>): Promise<void> {
    const run = this.queue.then(operation);
    // One failed operation must not block the ones after it; its caller gets the error.
    this.queue = run.catch(() => undefined);
    return run;
  }
}
