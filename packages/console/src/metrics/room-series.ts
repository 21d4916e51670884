import type { TrafficCounts } from '../api/sample-stream.js';

type Column = (number | null)[];

/** One room's counts over time, aligned with the timeline's sample times. */
export interface RoomColumns {
  messagesIn: Column;
  deliveries: Column;
  /** Rejections of every reason. */
  rejected: Column;
  /** The latest counts, rejections by reason included. */
  latest: TrafficCounts;
}

/**
 * The rooms' data traffic over the timeline's samples. A sample names only the rooms whose
 * counts changed; every other known room keeps its last counts, so its rate reads 0.
 */
export class RoomSeries {
  private readonly rooms = new Map<string, RoomColumns>();

  clear(): void {
    this.rooms.clear();
  }

  /** Adds one sample (the timeline held `length` samples before it). */
  append(length: number, changes: Record<string, TrafficCounts> | null | undefined): void {
    for (const [name, counts] of Object.entries(changes ?? {})) {
      if (!this.rooms.has(name)) {
        const empty = () => new Array<number | null>(length).fill(null);
        this.rooms.set(name, { messagesIn: empty(), deliveries: empty(), rejected: empty(), latest: counts });
      }
      const room = this.rooms.get(name);
      if (room) room.latest = counts;
    }
    for (const room of this.rooms.values()) {
      const { messagesIn, deliveries, rejected } = room.latest;
      room.messagesIn.push(messagesIn);
      room.deliveries.push(deliveries);
      room.rejected.push(Object.values(rejected).reduce((sum, n) => sum + n, 0));
    }
  }

  /** The oldest `count` samples left the window. */
  drop(count: number): void {
    for (const room of this.rooms.values()) for (const column of [room.messagesIn, room.deliveries, room.rejected]) column.splice(0, count);
  }

  room(name: string): RoomColumns | undefined {
    return this.rooms.get(name);
  }
}
