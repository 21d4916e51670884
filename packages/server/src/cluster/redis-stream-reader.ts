import type { Redis } from 'ioredis';
import { lossMarker, parseEntry, seqOf } from './redis-codec.js';
import type { SequencedMessage } from './room-bus.js';

/** Where the reader hands a room's messages. */
export interface StreamSink {
  reliable(message: SequencedMessage): void;
  /** The messages of one read were all handed over. */
  readDone(): void;
  /** Messages `fromSeq`..`toSeq` never reached this node and never will (trimmed, or Redis lost them). */
  gap(fromSeq: number, toSeq: number): void;
}

/** What the reader knows of one room's log. */
interface RoomCursor {
  key: string;
  /** The last number read (a message, or a marker of lost messages). */
  lastSeq: number;
  sink: StreamSink;
  /** The loss episode last marked (see SEED_SEQ), and the highest number delivered or told lost then. */
  episode?: number;
  covered?: number;
}

const BLOCK_MS = 5000;
const BATCH = 512;
const RETRY_MS = 250;
// How long a read waits for replicas once they were found late: no longer than a turn, so that a
// cluster without its replica (after a failover) still delivers, as its publishes are acknowledged.
const LATE_REPLICAS_WAIT_MS = 10;

/**
 * With `--redis-wait-replicas`, each read waits until that many replicas have what it read.
 * Without it, a message read from a primary that died before its replica got it could be
 * delivered here and be missing from the promoted replica: delivered (and acknowledged, its
 * publisher's reader having read it) yet lost. The reader writes a mark after the read and
 * `WAIT`s for it: a replica that has the mark has everything the read returned.
 */
export interface ReplicaBarrier {
  readonly replicas: number;
  /** The `WAIT` timeout, ms; after one that ran out, reads wait only briefly until replicas answer again. */
  readonly timeoutMs: number;
  /** The key the mark is written to. */
  readonly key: string;
}

/**
 * The node's one reader of every open room's reliable log: a single `XREAD BLOCK` over all the
 * streams, on a connection of its own, so each message reaches the node once whatever the
 * number of its receivers here. Opening a room wakes the blocked read (`CLIENT UNBLOCK` from
 * the command connection) so the new stream joins the next read at once.
 */
export class StreamReader {
  private readonly rooms = new Map<string, RoomCursor>();
  private readonly byKey = new Map<string, string>();
  private readerId: number | undefined;
  private running = true;
  private wakeIdle: (() => void) | undefined;
  private readonly loop: Promise<void>;
  private replicasLate = false;
  /** Connections made so far: a read is delivered only if its barrier ran on the same one. */
  private connections = 0;

  constructor(
    private readonly reader: Redis,
    private readonly command: Redis,
    private readonly keyOf: (room: string) => string,
    private readonly barrier?: ReplicaBarrier,
  ) {
    reader.on('ready', () => {
      this.readerId = undefined;
      this.connections++;
    });
    this.loop = this.run();
  }

  /** Delivers `room`'s messages after `lastSeq` to `sink`, in order, from now on. */
  add(room: string, lastSeq: number, sink: StreamSink): void {
    const key = this.keyOf(room);
    this.rooms.set(room, { key, lastSeq, sink });
    this.byKey.set(key, room);
    this.wake();
  }

  remove(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    this.rooms.delete(room);
    this.byKey.delete(entry.key);
  }

  /**
   * Resolves once the reader's connection is down too, so what Redis sent it before has been
   * read, or after `waitMs` (a connection that failed alone).
   */
  async drained(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.reader.status === 'ready' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** The last sequence number delivered for `room` (0 if not open). */
  lastDelivered(room: string): number {
    return this.rooms.get(room)?.lastSeq ?? 0;
  }

  async close(): Promise<void> {
    this.running = false;
    this.wake();
    this.reader.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.rooms.size === 0) {
        await new Promise<void>((resolve) => (this.wakeIdle = resolve));
        continue;
      }
      try {
        this.readerId ??= (await this.reader.call('CLIENT', 'ID')) as number;
        const entries = [...this.rooms.values()];
        const connection = this.connections;
        const reply = await this.reader.callBuffer(
          'XREAD', 'COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS',
          ...entries.map((e) => e.key), ...entries.map((e) => `${e.lastSeq}-0`),
        );
        if (!reply) continue;
        // What is not delivered now (the barrier failed, or ran on a new connection, maybe to a
        // promoted replica, after ioredis resent it) is read again from the same place.
        await this.replicated();
        if (this.connections !== connection) continue;
        this.deliver(reply as [Buffer, [Buffer, Buffer[]][]][]);
      } catch (error) {
        // Woken by a room being opened: read again at once.
        if (error instanceof Error && error.message.startsWith('UNBLOCKED')) continue;
        // Redis is away: the bus reports it through its health; reading resumes where it stopped.
        if (this.running) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async replicated(): Promise<void> {
    const barrier = this.barrier;
    if (!barrier) return;
    await this.reader.call('SET', barrier.key, '1', 'PX', 60_000);
    const acked = (await this.reader.call('WAIT', barrier.replicas, this.replicasLate ? LATE_REPLICAS_WAIT_MS : barrier.timeoutMs)) as number;
    this.replicasLate = acked < barrier.replicas;
  }

  private deliver(reply: [Buffer, [Buffer, Buffer[]][]][]): void {
    for (const [key, items] of reply) {
      const room = this.byKey.get(key.toString());
      const entry = room === undefined ? undefined : this.rooms.get(room);
      if (!entry) continue;
      for (const [id, fields] of items) {
        const seq = seqOf(id);
        if (seq <= entry.lastSeq) continue;
        const marker = lossMarker(fields);
        if (marker) {
          this.markLoss(entry, marker);
          entry.lastSeq = seq;
          continue;
        }
        if (seq > entry.lastSeq + 1) entry.sink.gap(entry.lastSeq + 1, seq - 1);
        entry.lastSeq = seq;
        entry.sink.reliable(parseEntry(id, fields));
      }
      entry.sink.readDone();
    }
  }

  // Numbers between the lost ones and the marker were never given: only the lost ones this node
  // had not read are reported, once per episode whatever the number of markers.
  private markLoss(entry: RoomCursor, marker: { lostUpTo: number; episode: number }): void {
    if (entry.episode !== marker.episode) {
      entry.episode = marker.episode;
      entry.covered = entry.lastSeq;
    }
    const covered = entry.covered ?? entry.lastSeq;
    if (marker.lostUpTo <= covered) return;
    entry.sink.gap(covered + 1, marker.lostUpTo);
    entry.covered = marker.lostUpTo;
  }

  private wake(): void {
    const idle = this.wakeIdle;
    this.wakeIdle = undefined;
    idle?.();
    // ERROR, not the default TIMEOUT: a `WAIT` of the replica barrier cut short must not pass for
    // one that ran out (the read is then delivered only after a new read and barrier).
    if (this.readerId !== undefined) this.command.call('CLIENT', 'UNBLOCK', this.readerId, 'ERROR').catch(() => undefined);
  }
}
