import { createHash } from 'node:crypto';
import type { Grants, PeerMetadata, TrackInfo } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import { unavailable } from './redis-link.js';
import type { BusLeaveReason, BusPeer, RoomBus, RoomBusHandlers, RoomChannel } from './room-bus.js';

/** What the membership needs to know of one of this node's peers. */
export interface LocalPeer {
  readonly id: string;
  readonly identity: string;
  readonly name: string | undefined;
  readonly metadata: PeerMetadata | undefined;
  readonly grants: Grants;
  readonly joinedAt: number;
  readonly resumeKey: string;
  readonly lastAcceptedSeq: number;
}

/** What the bus keeps of a resume key: enough to check one, not to forge one. */
export function resumeKeyHash(resumeKey: string): string {
  return createHash('sha256').update(resumeKey).digest('base64url');
}

interface OpenRoom {
  channel: Promise<RoomChannel>;
  /** Bus operations of the room, one after the other, so a leave never overtakes its join. */
  queue: Promise<unknown>;
}

/**
 * Keeps the bus's membership of each room in step with this node's peers: a room's channel is
 * open while the room exists here, each local join, change and leave is registered in order.
 * Joins are refused with `UNAVAILABLE` while the bus is unreachable (the peer could not be
 * registered). The room gets the channel's traffic and the changes made elsewhere in the cluster.
 */
export class ClusterMembership {
  private readonly rooms = new Map<string, OpenRoom>();
  /** Rooms whose channel is still closing: a new channel of the same name waits for it. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    private readonly bus: RoomBus,
    private readonly logger: Logger,
  ) {}

  /** Throws `UNAVAILABLE` if a peer cannot join now. */
  assertAvailable(): void {
    if (!this.bus.health().reachable) throw unavailable();
  }

  /** Members of `room` on every node (none on the local bus unless the room is open here). */
  roomPeers(room: string): Promise<BusPeer[]> {
    return this.bus.roomPeers(room);
  }

  /** Opens `room`'s channel, its traffic going to `handlers`; rejects (e.g. `UNAVAILABLE`) if it cannot. */
  async open(room: string, handlers: RoomBusHandlers): Promise<RoomChannel> {
    await this.closing.get(room);
    const channel = this.bus.openRoom(room, handlers);
    const entry: OpenRoom = { channel, queue: channel };
    this.rooms.set(room, entry);
    try {
      return await channel;
    } catch (error) {
      if (this.rooms.get(room) === entry) this.rooms.delete(room);
      throw error;
    }
  }

  /**
   * Registers one of this node's peers in `room`, with the tracks it publishes (muted state
   * included), or replaces its record when it changed: other nodes tell their peers the difference.
   */
  joined(room: string, peer: LocalPeer, tracks: readonly TrackInfo[]): void {
    const record: BusPeer = {
      id: peer.id,
      identity: peer.identity,
      name: peer.name,
      metadata: peer.metadata,
      grants: peer.grants,
      node: this.bus.nodeId,
      joinedAt: peer.joinedAt,
      tracks: tracks.map((track) => ({ ...track })),
      resumeKeyHash: resumeKeyHash(peer.resumeKey),
      lastSenderSeq: peer.lastAcceptedSeq,
    };
    this.enqueue(room, 'register a peer', (channel) => channel.putPeer(record));
  }

  /** Removes one of this node's peers from `room`. */
  left(room: string, peerId: string, reason: BusLeaveReason = 'left'): void {
    this.enqueue(room, 'remove a peer', (channel) => channel.removePeer(peerId, reason));
  }

  /** Closes `room`'s channel once its pending operations are done. */
  close(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.rooms.delete(room);
    const closed = entry.queue
      .catch(() => undefined)
      .then(() => entry.channel)
      .then((channel) => channel.close())
      .catch((error: unknown) => this.logger.warn('closing a cluster room failed', { room, error }))
      .finally(() => {
        if (this.closing.get(room) === closed) this.closing.delete(room);
      });
    this.closing.set(room, closed);
  }

  /** Resolves once every pending registration and closing is done (before the bus closes). */
  async drain(): Promise<void> {
    await Promise.all([...[...this.rooms.values()].map((entry) => entry.queue.catch(() => undefined)), ...this.closing.values()]);
  }

  private enqueue(room: string, what: string, operation: (channel: RoomChannel) => Promise<unknown>): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    entry.queue = entry.queue
      .catch(() => undefined)
      .then(() => entry.channel)
      .then(operation)
      .catch((error: unknown) => this.logger.warn(`cluster: could not ${what}; it is retried when Redis is back`, { room, error }));
  }
}
