import type { Redis } from 'ioredis';
import { parseEntry, seqOf } from './redis-codec.js';
import type { SequencedMessage } from './room-bus.js';

/** Where the reader hands a room's messages. */
export interface StreamSink {
  reliable(message: SequencedMessage): void;
  /** The messages of one read were all handed over. */
  readDone(): void;
  gap(fromSeq: number, toSeq: number): void;
}

const BLOCK_MS = 5000;
const BATCH = 512;
const RETRY_MS = 250;

/**
 * The node's one reader of every open room's reliable log: a single `XREAD BLOCK` over all the
 * streams, on a connection of its own, so each message reaches the node once whatever the
 * number of its receivers here. Opening a room wakes the blocked read (`CLIENT UNBLOCK` from
 * the command connection) so the new stream joins the next read at once.
 */
export class StreamReader {
  private readonly rooms = new Map<string, { key: string; lastSeq: number; sink: StreamSink }>();
  private readonly byKey = new Map<string, string>();
  private readerId: number | undefined;
  private running = true;
  private wakeIdle: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly reader: Redis,
    private readonly command: Redis,
    private readonly keyOf: (room: string) => string,
  ) {
    reader.on('ready', () => {
      this.readerId = undefined;
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
        const reply = await this.reader.callBuffer(
          'XREAD', 'COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS',
          ...entries.map((e) => e.key), ...entries.map((e) => `${e.lastSeq}-0`),
        );
        if (reply) this.deliver(reply as [Buffer, [Buffer, Buffer[]][]][]);
      } catch {
        // Redis is away: the bus reports it through its health; reading resumes where it stopped.
        if (this.running) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private deliver(reply: [Buffer, [Buffer, Buffer[]][]][]): void {
    for (const [key, items] of reply) {
      const room = this.byKey.get(key.toString());
      const entry = room === undefined ? undefined : this.rooms.get(room);
      if (!entry) continue;
      for (const [id, fields] of items) {
        const seq = seqOf(id);
        if (seq <= entry.lastSeq) continue;
        if (seq > entry.lastSeq + 1) entry.sink.gap(entry.lastSeq + 1, seq - 1);
        entry.lastSeq = seq;
        entry.sink.reliable(parseEntry(id, fields));
      }
      entry.sink.readDone();
    }
  }

  private wake(): void {
    const idle = this.wakeIdle;
    this.wakeIdle = undefined;
    idle?.();
    if (this.readerId !== undefined) this.command.call('CLIENT', 'UNBLOCK', this.readerId).catch(() => undefined);
  }
}
