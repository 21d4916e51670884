import { decodeOutgoing } from '@switchboard/sdk/protocol';
import type { RoomChannel, SequencedMessage } from '../cluster/room-bus.js';

/** What a node needs from the room's shared log to take over one session of a dead node. */
export interface TakeoverRead {
  /** The room's messages after the session's last received one, for its replay. */
  missed: SequencedMessage[];
  /** The sender sequence number of the session's last message in the log (0: none). */
  lastSent: number;
}

/**
 * Reads the room's shared log for sessions taken over from a dead node. Those come back
 * together (hundreds in a large room), so one read serves every takeover that needs no older
 * message than it starts from, instead of one read of nearly the same messages each; and the
 * search for a session's own last message, which reads the whole log, is made only for a
 * session that may have sent one.
 */
export class TakeoverReader {
  private inFlight: { from: number; messages: Promise<SequencedMessage[] | undefined> } | undefined;

  constructor(private readonly bus: RoomChannel) {}

  /** Throws what the bus throws (`UNAVAILABLE` when Redis is down). */
  async read(peerId: string, afterSeq: number, mayHaveSent: boolean): Promise<TakeoverRead> {
    const logged = (mayHaveSent ? await this.bus.replay(0) : undefined) ?? (await this.since(afterSeq)) ?? [];
    let lastSent = 0;
    for (const message of logged) {
      if (message.from !== peerId) continue;
      try {
        lastSent = Math.max(lastSent, decodeOutgoing(message.body).seq);
      } catch {
        // Unreadable bodies are skipped when delivered too.
      }
    }
    return { missed: logged.filter((m) => m.seq > afterSeq), lastSent };
  }

  private async since(afterSeq: number): Promise<SequencedMessage[] | undefined> {
    const shared = this.inFlight;
    if (shared && shared.from <= afterSeq) {
      // A log trimmed past the shared read's start may still reach this one's.
      const messages = await shared.messages;
      if (messages !== undefined || shared.from === afterSeq) return messages;
    }
    const entry = { from: afterSeq, messages: this.bus.replay(afterSeq) };
    this.inFlight = entry;
    const done = (): void => {
      if (this.inFlight === entry) this.inFlight = undefined;
    };
    entry.messages.then(done, done);
    return entry.messages;
  }
}
