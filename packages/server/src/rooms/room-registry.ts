import { SwitchboardError, type GrantChange, type Grants, type ResumeRequest } from '@switchboard/sdk/protocol';
import type { ClusterMembership } from '../cluster/cluster-membership.js';
import type { BusLeaveReason, RoomBusHandlers, RoomChannel } from '../cluster/room-bus.js';
import type { RoomContext, RoomIndex } from './room-context.js';
import { Room } from './room.js';
import type { Peer } from './peer.js';

/**
 * All rooms of this server, created on first join and dropped when their last peer leaves,
 * plus the index from peer ID to room that resumption needs. The cluster's membership follows
 * them: a room here has its channel on the bus, each peer here is registered there.
 */
export class RoomRegistry implements RoomIndex {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private readonly peerRooms = new Map<string, Room>();
  private readonly context: RoomContext;

  constructor(
    context: Omit<RoomContext, 'registry'>,
    private readonly membership: ClusterMembership,
  ) {
    this.context = { ...context, registry: this };
  }

  /** A room by name. */
  get(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** Every room. */
  list(): Room[] {
    return [...this.rooms.values()];
  }

  /** Total peers over all rooms. */
  get peerCount(): number {
    return this.peerRooms.size;
  }

  /**
   * The room `name` for a new peer, created if needed; concurrent callers share one creation.
   * Throws `UNAVAILABLE` while the cluster cannot register a peer.
   */
  async getOrCreate(name: string): Promise<Room> {
    this.membership.assertAvailable();
    const existing = this.rooms.get(name);
    if (existing) return existing;
    let pending = this.creating.get(name);
    if (!pending) {
      pending = this.create(name).then(
        (room) => {
          this.creating.delete(name);
          this.rooms.set(name, room);
          return room;
        },
        (error: unknown) => {
          this.creating.delete(name);
          throw error;
        },
      );
      this.creating.set(name, pending);
    }
    return pending;
  }

  private async create(name: string): Promise<Room> {
    try {
      const room = await Room.create(name, this.context);
      this.context.webhooks.emit({ type: 'room.started', room: name });
      return room;
    } catch (error) {
      this.membership.close(name);
      throw error;
    }
  }

  openChannel(room: string, handlers: RoomBusHandlers): Promise<RoomChannel> {
    return this.membership.open(room, handlers);
  }

  /**
   * A session of `roomName` registered on the bus by another node, taken over by this one (its
   * node died and the client came here to resume). Throws `RESUME_FAILED` if there is none.
   */
  async takeOver(roomName: string, request: ResumeRequest): Promise<{ room: Room; peer: Peer }> {
    const room = await this.getOrCreate(roomName);
    try {
      const record = room.clusterPeer(request.peerId);
      if (!record) throw new SwitchboardError('RESUME_FAILED', 'no such session any more (it timed out or left); join again');
      return { room, peer: await room.adopt(record, request) };
    } catch (error) {
      // A room opened only for this resume must not stay open empty.
      if (room.size === 0) room.close('resumeFailed', 'the session could not be taken over');
      throw error;
    }
  }

  /**
   * Runs `use` on room `name`: this node's, or one opened here for the purpose while the room
   * has members on other nodes only (closed again after, unless someone joined meanwhile).
   * Undefined if the room has no members anywhere.
   */
  async reach<T>(name: string, use: (room: Room) => Promise<T>): Promise<T | undefined> {
    const local = this.rooms.get(name);
    if (local) return use(local);
    if ((await this.membership.roomPeers(name)).length === 0) return undefined;
    const room = await this.getOrCreate(name);
    try {
      return await use(room);
    } finally {
      if (room.size === 0) room.close('left', 'opened for one request');
    }
  }

  /** Changes the grants of a peer of this node (asked by another node); `NOT_FOUND` if it is not here. */
  setGrantsHere(roomName: string, peerId: string, change: GrantChange, by: string): Promise<Grants> {
    const room = this.rooms.get(roomName);
    if (!room?.peer(peerId)) throw new SwitchboardError('NOT_FOUND', `peer ${peerId} is not in room ${roomName}`);
    return room.setGrants(peerId, change, by);
  }

  /** The peer with this ID and its room, wherever it is. */
  findPeer(peerId: string): { room: Room; peer: Peer } | undefined {
    const room = this.peerRooms.get(peerId);
    const peer = room?.peer(peerId);
    return room && peer ? { room, peer } : undefined;
  }

  indexPeer(peerId: string, room: Room): void {
    this.peerRooms.set(peerId, room);
    const peer = room.peer(peerId);
    if (peer) this.membership.joined(room.name, peer, room.tracksOf(peer));
  }

  /** A peer's record changed: its name, metadata or tracks (published, muted, unpublished). */
  peerChanged(peerId: string, room: Room): void {
    const peer = room.peer(peerId);
    if (peer) this.membership.joined(room.name, peer, room.tracksOf(peer));
  }

  unindexPeer(peerId: string, reason: BusLeaveReason = 'left'): void {
    const room = this.peerRooms.get(peerId);
    this.peerRooms.delete(peerId);
    if (room) this.membership.left(room.name, peerId, reason);
  }

  removeRoom(room: Room): void {
    if (this.rooms.get(room.name) !== room) return;
    this.rooms.delete(room.name);
    this.membership.close(room.name);
    this.context.webhooks.emit({ type: 'room.finished', room: room.name });
  }

  /** Closes every room, telling each peer why. */
  closeAll(message: string): void {
    for (const room of [...this.rooms.values()]) room.close('serverShutdown', message);
  }
}
