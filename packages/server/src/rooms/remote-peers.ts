import { GRANT_NAMES, type Grants, type NotificationName, type PeerInfo, type ServerNotifications, type TrackInfo } from '@switchboard/sdk/protocol';
import type { BusLeaveReason, BusPeer, RoomBusHandlers, RoomChannel } from '../cluster/room-bus.js';
import type { DataRouter } from '../data/data-router.js';
import type { Logger } from '../log.js';
import { RemoteTracks } from './remote-tracks.js';

/** What the room does about the bus's news. */
export interface RemotePeerHooks {
  /** Tells this node's peers of the room something (no webhook: the publishing node sends those). */
  broadcast<N extends NotificationName>(method: N, data: ServerNotifications[N]): void;
  /** A peer of this node was removed from the bus by another node (no-op if already gone here); `message`: a kick's reason. */
  removedHere(peerId: string, reason: ServerNotifications['peerLeft']['reason'] & ('left' | 'kicked' | 'timeout'), message?: string): void;
  /** Whether a peer is one of this node's (a session taken over here is, before the bus says so). */
  isLocal(peerId: string): boolean;
}

/**
 * The room's peers on other nodes, as the room bus reports them: this node's peers are told
 * when they join, change or leave and when their tracks are published, muted, unmuted or
 * unpublished, and a joining peer finds them and their tracks in its join result. This node's
 * own peers come back from the bus too, and are left to the room, which announced them.
 */
export class RemotePeers {
  private channel: RoomChannel | undefined;
  private readonly tracks: RemoteTracks;
  /** The grants of each peer of other nodes, as last told: a record change may be a grant change. */
  private readonly grants = new Map<string, Grants>();
  /** What peers were last told of each peer of other nodes (JSON of its PeerInfo). */
  private readonly told = new Map<string, string>();

  constructor(
    private readonly nodeId: string,
    private readonly hooks: RemotePeerHooks,
    private readonly logger: Logger,
  ) {
    this.tracks = new RemoteTracks((method, data) => hooks.broadcast(method, data));
  }

  /** The room's channel, once open: the tracks of the members already there are known from now on. */
  attach(channel: RoomChannel): void {
    this.channel = channel;
    for (const peer of channel.peers().values()) {
      if (!this.remote(peer)) continue;
      this.tracks.update(peer);
      this.grants.set(peer.id, peer.grants);
      this.told.set(peer.id, JSON.stringify(info(peer)));
    }
  }

  /** Removes a peer of another node from the bus (its node then ends it, telling it `reason`); false if there is none. */
  async kick(peerId: string, reason: string): Promise<boolean> {
    if (!this.record(peerId) || !this.channel) return false;
    return this.channel.removePeer(peerId, 'kicked', reason);
  }

  /** The bus record of a peer of another node. */
  record(peerId: string): BusPeer | undefined {
    const peer = this.channel?.peers().get(peerId);
    return peer && this.remote(peer) ? peer : undefined;
  }

  /**
   * Peers of other nodes, as every member sees them. A session this node took over from a dead
   * node keeps that node's record on the bus until its new one comes back: it is listed once,
   * as this node's peer, meanwhile.
   */
  infos(): PeerInfo[] {
    return [...(this.channel?.peers().values() ?? [])].filter((p) => this.remote(p) && !this.hooks.isLocal(p.id)).map(info);
  }

  /** How many peers of other nodes there are (as {@link infos} lists them). */
  count(): number {
    return this.infos().length;
  }

  /** Tracks of the peers of other nodes (a taken-over session's tracks died with its node). */
  trackInfos(): TrackInfo[] {
    return this.tracks.all().filter((track) => !this.hooks.isLocal(track.peerId));
  }

  /** What the room does with its traffic from the bus: data to `data`, membership here. */
  handlers(data: DataRouter): RoomBusHandlers {
    return {
      reliable: (message) => data.receiveReliable(message),
      readDone: () => data.readDone(),
      lossy: (message) => data.receiveLossy(message),
      gap: (fromSeq, toSeq) => {
        this.logger.warn('reliable messages lost before this node read them (trimmed from the log, or lost by Redis); receivers told', { fromSeq, toSeq });
        data.missed(fromSeq, toSeq);
      },
      peerJoined: (peer) => {
        if (!this.remote(peer)) return this.tracks.remove(peer.id);
        this.hooks.broadcast('peerJoined', { peer: info(peer) });
        this.tracks.update(peer);
        this.grants.set(peer.id, peer.grants);
        this.told.set(peer.id, JSON.stringify(info(peer)));
      },
      // A record change that is about tracks or grants is told as track or grant notifications;
      // peerUpdated only when what peers see of it changed (not its node after a takeover, its
      // resume key or its last sender number). A record that became this node's (a session
      // taken over from a dead node) lost its tracks there.
      peerUpdated: (peer) => {
        if (!this.remote(peer)) {
          this.told.delete(peer.id);
          return this.tracks.remove(peer.id);
        }
        const known = this.grants.get(peer.id);
        this.grants.set(peer.id, peer.grants);
        this.tracks.update(peer);
        if (known && GRANT_NAMES.some((name) => known[name] !== peer.grants[name])) {
          this.hooks.broadcast('peerGrantsChanged', { peerId: peer.id, grants: peer.grants });
        }
        const shown = JSON.stringify(info(peer));
        if (this.told.get(peer.id) === shown) return;
        this.told.set(peer.id, shown);
        this.hooks.broadcast('peerUpdated', { peer: info(peer) });
      },
      // Its tracks go before it does, as they do when a peer of this node leaves.
      peerLeft: (peer, reason, message) => {
        if (!this.remote(peer)) return this.hooks.removedHere(peer.id, leaveReason(reason), message);
        this.tracks.remove(peer.id);
        this.grants.delete(peer.id);
        this.told.delete(peer.id);
        this.hooks.broadcast('peerLeft', { peerId: peer.id, reason: leaveReason(reason) });
      },
    };
  }

  private remote(peer: BusPeer): boolean {
    return peer.node !== this.nodeId;
  }
}

function info(peer: BusPeer): PeerInfo {
  return {
    id: peer.id,
    identity: peer.identity,
    joinedAt: peer.joinedAt,
    ...(peer.name === undefined ? {} : { name: peer.name }),
    ...(peer.metadata === undefined ? {} : { metadata: peer.metadata }),
  };
}

// A peer whose node died is, to the rest of the room, a peer whose connection timed out.
function leaveReason(reason: BusLeaveReason): 'left' | 'kicked' | 'timeout' {
  return reason === 'nodeLost' ? 'timeout' : reason;
}
