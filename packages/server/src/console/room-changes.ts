import type { TrafficCounts } from '../data/room-traffic.js';

/** A room as the sampler reads it. */
export interface TrafficSource {
  readonly name: string;
  readonly traffic: { counts(): TrafficCounts };
}

/** The rooms whose traffic changed since the previous sample, by name. */
export type RoomChanges = Record<string, TrafficCounts>;

/**
 * Turns the rooms' traffic counts into what changed since the previous sample, so a sample
 * carries only the rooms that had traffic that second (a quiet room costs nothing), and keeps
 * the counts as of the oldest kept sample, so a viewer that connects later starts from them.
 */
export class RoomTrafficChanges {
  /** The last counts sent for each open room, as a string to compare cheaply. */
  private readonly last = new Map<string, string>();
  /** Each room's counts as of just before the oldest kept sample. */
  private readonly baseline = new Map<string, TrafficCounts>();

  /** The rooms whose counts differ from the last sample's; undefined when none does. */
  next(rooms: Iterable<TrafficSource>): RoomChanges | undefined {
    const open = new Set<string>();
    let changes: RoomChanges | undefined;
    for (const room of rooms) {
      open.add(room.name);
      const counts = room.traffic.counts();
      const key = JSON.stringify(counts);
      // A room with no traffic yet is left out, as a room that never changes after that.
      if (key === (this.last.get(room.name) ?? EMPTY)) continue;
      this.last.set(room.name, key);
      (changes ??= {})[room.name] = counts;
    }
    // A closed room is forgotten; if it opens again, its counts start over and are sent again.
    for (const name of this.last.keys()) {
      if (!open.has(name)) {
        this.last.delete(name);
        this.baseline.delete(name);
      }
    }
    return changes;
  }

  /** A kept sample's changes were dropped: they become the starting point of later viewers. */
  dropped(changes: RoomChanges | undefined): void {
    for (const [name, counts] of Object.entries(changes ?? {})) if (this.last.has(name)) this.baseline.set(name, counts);
  }

  /** The first kept sample's changes, preceded by the counts of rooms that changed before it. */
  first(changes: RoomChanges | undefined): RoomChanges | undefined {
    if (this.baseline.size === 0) return changes;
    return { ...Object.fromEntries(this.baseline), ...changes };
  }
}

const EMPTY = JSON.stringify({ messagesIn: 0, deliveries: 0, rejected: {} });
