import { DisconnectedError } from '../errors.js';
import type { Grants, SwitchboardError } from '../protocol/index.js';
import type { MediaSession } from '../transport/rtc-session.js';
import { LocalTrack, type LocalTrackEndReason } from './local-track.js';
import { resolvePublication, type PublishOptions } from './publish-options.js';
import { TrackError } from './track-errors.js';

/** What a {@link TrackPublisher} needs from its room. */
export interface PublisherHost {
  /** The token's grants. */
  grants(): Grants;
  /** Whether video is published with simulcast unless the options say. */
  simulcast: boolean;
  /** A published track ended (see {@link LocalTrackEndReason}). */
  ended(track: LocalTrack, reason: LocalTrackEndReason, error?: SwitchboardError): void;
}

/**
 * This peer's published tracks, by name, and their publication on each connection: published as
 * soon as a connection is ready, and again on every new one after a reconnect.
 */
export class TrackPublisher {
  private readonly tracks = new Map<string, LocalTrack>();
  private session: MediaSession | undefined;
  private closedBy: SwitchboardError | undefined;

  constructor(private readonly host: PublisherHost) {}

  /** The published tracks, by name. */
  get published(): ReadonlyMap<string, LocalTrack> {
    return this.tracks;
  }

  /**
   * Publishes `track` and resolves once the server has it. While the room is reconnecting it
   * waits for the new connection. Rejects with {@link TrackError}, {@link RequestError} (the
   * server's refusal) or {@link DisconnectedError}.
   */
  async publish(track: MediaStreamTrack, options: PublishOptions): Promise<LocalTrack> {
    if (this.closedBy !== undefined) throw new DisconnectedError('publish: the room is disconnected', { cause: this.closedBy });
    if (!this.host.grants().publish) throw new TrackError('PERMISSION_DENIED', 'this token does not grant publish');
    const publication = resolvePublication(track, options, this.host.simulcast);
    if (this.tracks.has(publication.name)) {
      throw new TrackError('ALREADY_JOINED', `a track named "${publication.name}" is already published; give this one another name`);
    }
    const local = new LocalTrack(track, publication, { ended: (ended, reason, error) => this.ended(ended, reason, error) });
    // Registered at once, so that a reconnect while it is being published publishes it too.
    this.tracks.set(local.name, local);
    if (this.session !== undefined) void local.publishOn(this.session);
    try {
      await local.published;
    } catch (error) {
      if (this.tracks.get(local.name) === local) this.tracks.delete(local.name);
      throw error;
    }
    return local;
  }

  /** A connection is ready: publishes every track on it. */
  ready(session: MediaSession): void {
    this.session = session;
    for (const track of this.tracks.values()) void track.publishOn(session);
  }

  /** The connection dropped; its producers died with its transports. */
  lost(): void {
    this.session = undefined;
  }

  /** The room is over: every track is unpublished, and `publish` rejects from now on. */
  closed(error: SwitchboardError): void {
    this.session = undefined;
    this.closedBy = error;
    for (const track of this.tracks.values()) track.roomClosed(error);
    this.tracks.clear();
  }

  /** The `publish` grant was revoked: every track ends (`failed`, `PERMISSION_DENIED`); the media tracks stay the application's. */
  revoked(): void {
    for (const track of [...this.tracks.values()]) track.revoked(new TrackError('PERMISSION_DENIED', 'the publish grant was revoked'));
  }

  private ended(track: LocalTrack, reason: LocalTrackEndReason, error?: SwitchboardError): void {
    if (this.tracks.get(track.name) !== track) return;
    this.tracks.delete(track.name);
    this.host.ended(track, reason, error);
  }
}
