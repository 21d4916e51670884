import type { NotificationName, ServerNotifications, TrackInfo } from '@switchboard/sdk/protocol';
import type { BusPeer } from '../cluster/room-bus.js';

type TrackNotification = 'trackPublished' | 'trackUnpublished' | 'trackMuted' | 'trackUnmuted';

/** Where the announcements go: this node's peers of the room. */
export type TrackAnnouncer = <N extends TrackNotification & NotificationName>(method: N, data: ServerNotifications[N]) => void;

/**
 * The tracks of the room's peers on other nodes, as their membership records carry them (the
 * publishing node keeps each record's tracks and muted states current). Each record change is
 * turned into the notifications this node's peers would have got had the publisher been here:
 * the difference between the tracks last seen and the new ones.
 */
export class RemoteTracks {
  /** Tracks last seen per peer of another node, by track ID. */
  private readonly seen = new Map<string, Map<string, TrackInfo>>();

  constructor(private readonly announce: TrackAnnouncer) {}

  /** Every track of the peers of other nodes. */
  all(): TrackInfo[] {
    return [...this.seen.values()].flatMap((tracks) => [...tracks.values()]);
  }

  /** A record of another node's peer appeared or changed; false if its tracks did not change. */
  update(peer: BusPeer): boolean {
    const before = this.seen.get(peer.id) ?? new Map<string, TrackInfo>();
    const after = new Map(peer.tracks.map((track) => [track.id, { ...track, peerId: peer.id }]));
    this.seen.set(peer.id, after);
    let changed = false;
    for (const [id, track] of before) {
      if (after.has(id)) continue;
      this.announce('trackUnpublished', { trackId: id, peerId: track.peerId });
      changed = true;
    }
    for (const [id, track] of after) {
      const old = before.get(id);
      if (!old) this.announce('trackPublished', { track });
      else if (old.muted !== track.muted) this.announce(track.muted ? 'trackMuted' : 'trackUnmuted', { trackId: id, peerId: peer.id });
      else continue;
      changed = true;
    }
    return changed;
  }

  /** A peer of another node left (or its node died): its tracks are unpublished. */
  remove(peerId: string): void {
    const tracks = this.seen.get(peerId);
    this.seen.delete(peerId);
    for (const id of tracks?.keys() ?? []) this.announce('trackUnpublished', { trackId: id, peerId });
  }
}
