import type { PeerInfo } from '../protocol/index.js';

/** What changed when the peer list was replaced by a fresh one from the server. */
export interface PeerListChanges {
  joined: PeerInfo[];
  left: PeerInfo[];
  updated: Array<{ peer: PeerInfo; previous: PeerInfo }>;
}

/**
 * This peer and the other peers in the room, kept from the `join` result and the `peerJoined`,
 * `peerLeft` and `peerUpdated` notifications. The list never contains this peer itself.
 */
export class Participants {
  private readonly others = new Map<string, PeerInfo>();
  // Set by the first `join`, which always completes before a Room is handed out.
  private me!: PeerInfo;

  /** This peer. */
  get self(): PeerInfo {
    return this.me;
  }

  /** The other peers, by ID. */
  get peers(): ReadonlyMap<string, PeerInfo> {
    return this.others;
  }

  /**
   * Takes the state a `join` reported. After a resume, notifications missed while disconnected
   * show up as the returned changes.
   */
  replace(self: PeerInfo, peers: readonly PeerInfo[]): PeerListChanges {
    this.me = self;
    const changes: PeerListChanges = { joined: [], left: [], updated: [] };
    const fresh = new Map(peers.filter((peer) => peer.id !== self.id).map((peer) => [peer.id, peer]));
    for (const [id, previous] of this.others) {
      const peer = fresh.get(id);
      if (peer === undefined) changes.left.push(previous);
      else if (!samePresentation(peer, previous)) changes.updated.push({ peer, previous });
    }
    for (const [id, peer] of fresh) if (!this.others.has(id)) changes.joined.push(peer);
    this.others.clear();
    for (const [id, peer] of fresh) this.others.set(id, peer);
    return changes;
  }

  /** A peer joined; false if it is this peer or already known. */
  add(peer: PeerInfo): boolean {
    if (peer.id === this.me.id || this.others.has(peer.id)) return false;
    this.others.set(peer.id, peer);
    return true;
  }

  /** A peer left; returns it, or undefined if it was not known. */
  remove(peerId: string): PeerInfo | undefined {
    const peer = this.others.get(peerId);
    this.others.delete(peerId);
    return peer;
  }

  /** A peer changed; returns its previous state, or undefined if it is this peer or unknown. */
  update(peer: PeerInfo): PeerInfo | undefined {
    if (peer.id === this.me.id) {
      this.me = peer;
      return undefined;
    }
    const previous = this.others.get(peer.id);
    if (previous !== undefined) this.others.set(peer.id, peer);
    return previous;
  }

  /** This peer changed its name or metadata. */
  updateSelf(self: PeerInfo): void {
    this.me = self;
  }
}

function samePresentation(a: PeerInfo, b: PeerInfo): boolean {
  return a.name === b.name && JSON.stringify(a.metadata) === JSON.stringify(b.metadata);
}
