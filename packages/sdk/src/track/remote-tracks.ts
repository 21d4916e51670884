import type { SwitchboardError, TrackInfo } from '../protocol/index.js';
import { RemoteTrack, type RemoteTrackHost } from './remote-track.js';
import type { TrackEventEmitter } from './track-events.js';

/** What {@link RemoteTracks} needs. */
export interface RemoteTracksOptions {
  host: RemoteTrackHost;
  emit: TrackEventEmitter;
  /** Our own peer ID: the server tells us about our own tracks too, which are not remote. */
  selfId(): string;
  /** Whether a peer is still in the room. */
  inRoom(peerId: string): boolean;
  /** Whether to subscribe to every new track (when the token grants `subscribe`). */
  autoSubscribe: boolean;
  /** How long a track of a peer still in the room may be gone before it counts as unpublished, in ms. */
  graceMs: number;
}

/**
 * The other peers' tracks, kept from the join results and the track notifications.
 *
 * A track is identified by its publisher and name, not by the server's track ID: when a
 * publisher's connection drops, the server unpublishes its tracks, and when it resumes the SDK
 * publishes them again under new IDs. So an unpublished track whose publisher is still in the
 * room is kept for a grace period (its consumer closed, attached elements showing the last
 * frame): if a track with the same publisher and name comes back in time, the same
 * {@link RemoteTrack} takes the new publication (new ID, new consumer, elements switched over)
 * and the application sees no `trackUnpublished`/`trackPublished`. Otherwise, or as soon as the
 * publisher leaves, `trackUnpublished` is emitted. The cost: an explicit unpublish by a peer that
 * stays is reported after the grace period, since the protocol does not tell the two apart.
 */
export class RemoteTracks {
  private readonly byId = new Map<string, RemoteTrack>();
  private readonly graceTimers = new Map<RemoteTrack, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: RemoteTracksOptions) {}

  /** The tracks, by their current ID (tracks in their grace period included). */
  get tracks(): ReadonlyMap<string, RemoteTrack> {
    return this.byId;
  }

  /** Takes the track list of a join result: the first one, or the fresh one after a resume. */
  sync(infos: readonly TrackInfo[]): void {
    const fresh = new Map(infos.map((info) => [key(info.peerId, info.name), info]));
    for (const track of [...this.byId.values()]) {
      const trackKey = key(track.peerId, track.name);
      const info = fresh.get(trackKey);
      fresh.delete(trackKey);
      if (info !== undefined) this.republished(track, info);
      else this.unpublished(track.id);
    }
    for (const info of fresh.values()) this.published(info);
  }

  /** A track was published, or published again under the name of one we know. */
  published(info: TrackInfo): void {
    if (info.peerId === this.options.selfId()) return;
    const known = this.find(info.peerId, info.name);
    if (known !== undefined) {
      this.republished(known, info);
      return;
    }
    const track = new RemoteTrack(info, this.options.host);
    this.byId.set(info.id, track);
    this.options.emit('trackPublished', { track });
    if (this.options.autoSubscribe && this.options.host.canSubscribe()) {
      // Failures are emitted as trackSubscriptionFailed; the rest (gone, disconnected) needs no word.
      track.subscribe().catch(() => undefined);
    }
  }

  /** The server no longer has a publication: gone now, or after the grace period if its peer stays. */
  unpublished(trackId: string): void {
    const track = this.byId.get(trackId);
    if (track === undefined || this.graceTimers.has(track)) return;
    track.withdraw();
    if (!this.options.inRoom(track.peerId)) {
      this.remove(track);
      return;
    }
    this.graceTimers.set(
      track,
      setTimeout(() => this.remove(track), this.options.graceMs),
    );
  }

  /** The publisher muted or unmuted a track. */
  mutedChanged(trackId: string, muted: boolean): void {
    const track = this.byId.get(trackId);
    if (track?.setMuted(muted)) this.options.emit(muted ? 'trackMuted' : 'trackUnmuted', { track });
  }

  /** A peer left: its tracks are gone at once. */
  peerLeft(peerId: string): void {
    for (const track of [...this.byId.values()]) if (track.peerId === peerId) this.remove(track);
  }

  /** The server closed one of our consumers (its publication ended). */
  consumerClosed(consumerId: string): void {
    for (const track of this.byId.values()) track.receptionEnded(consumerId);
  }

  /** The room is over: every track is dropped, without events. */
  closed(error: SwitchboardError): void {
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
    for (const track of this.byId.values()) track.remove(error);
    this.byId.clear();
  }

  private republished(track: RemoteTrack, info: TrackInfo): void {
    clearTimeout(this.graceTimers.get(track));
    this.graceTimers.delete(track);
    if (info.id !== track.id) {
      this.byId.delete(track.id);
      this.byId.set(info.id, track);
    }
    if (track.republish(info)) this.options.emit(info.muted ? 'trackMuted' : 'trackUnmuted', { track });
    this.options.host.ensure(track);
  }

  private remove(track: RemoteTrack): void {
    clearTimeout(this.graceTimers.get(track));
    this.graceTimers.delete(track);
    if (this.byId.get(track.id) !== track) return;
    this.byId.delete(track.id);
    track.remove(track.goneError());
    this.options.emit('trackUnpublished', { track });
  }

  private find(peerId: string, name: string): RemoteTrack | undefined {
    for (const track of this.byId.values()) if (track.peerId === peerId && track.name === name) return track;
    return undefined;
  }
}

function key(peerId: string, name: string): string {
  // Peer IDs are base64url, so a NUL cannot occur in them.
  return `${peerId}\0${name}`;
}
