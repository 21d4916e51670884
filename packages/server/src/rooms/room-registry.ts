import type { RoomContext, RoomIndex } from './room-context.js';
import { Room } from './room.js';
import type { Peer } from './peer.js';

/**
 * All rooms of this server, created on first join and dropped when their last peer leaves,
 * plus the index from peer ID to room that resumption needs.
 */
export class RoomRegistry implements RoomIndex {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private readonly peerRooms = new Map<string, Room>();
  private readonly context: RoomContext;

  constructor(context: Omit<RoomContext, 'registry'>) {
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

  /** The room `name`, created if needed; concurrent callers share one creation. */
  async getOrCreate(name: string): Promise<Room> {
    const existing = this.rooms.get(name);
    if (existing) return existing;
    let pending = this.creating.get(name);
    if (!pending) {
      pending = Room.create(name, this.context).then(
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

  /** The peer with this ID and its room, wherever it is. */
  findPeer(peerId: string): { room: Room; peer: Peer } | undefined {
    const room = this.peerRooms.get(peerId);
    const peer = room?.peer(peerId);
    return room && peer ? { room, peer } : undefined;
  }

  indexPeer(peerId: string, room: Room): void {
    this.peerRooms.set(peerId, room);
  }

  unindexPeer(peerId: string): void {
    this.peerRooms.delete(peerId);
  }

  removeRoom(room: Room): void {
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
  }

  /** Closes every room, telling each peer why. */
  closeAll(message: string): void {
    for (const room of [...this.rooms.values()]) room.close('serverShutdown', message);
  }
}
