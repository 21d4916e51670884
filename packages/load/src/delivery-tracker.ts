/** How one receiver fared: what it should have had, what it had, and what it had twice. */
export interface ReceiverReport {
  identity: string;
  /** Messages it should have received (from every sender, see {@link DeliveryTracker.report}). */
  expected: number;
  /** Distinct messages received. */
  received: number;
  /** Expected messages never received. */
  missing: number;
  /** Messages received more than once (each extra copy counts). */
  duplicates: number;
}

/** What one sender sent: messages numbered 1..sent. */
interface SenderLog {
  /** Byte n is 1 once message n arrived. */
  seen: Uint8Array;
  first: number;
  last: number;
  distinct: number;
}

/**
 * Exactly-once accounting at one receiver. Each sender numbers its messages 1, 2, 3...; the
 * tracker notes every arrival and, at the end, compares with how many each sender sent.
 */
export class DeliveryTracker {
  private readonly senders = new Map<string, SenderLog>();
  private duplicates = 0;

  constructor(readonly identity: string) {}

  /** Message `n` of `sender` arrived; false if it is a duplicate (or not a valid number). */
  arrived(sender: string, n: number): boolean {
    if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff) return false;
    let log = this.senders.get(sender);
    if (log === undefined) {
      log = { seen: new Uint8Array(1024), first: n, last: n, distinct: 0 };
      this.senders.set(sender, log);
    }
    if (n >= log.seen.length) {
      const grown = new Uint8Array(Math.max(n + 1, log.seen.length * 2));
      grown.set(log.seen);
      log.seen = grown;
    }
    if (log.seen[n] === 1) {
      this.duplicates++;
      return false;
    }
    log.seen[n] = 1;
    log.distinct++;
    log.first = Math.min(log.first, n);
    log.last = Math.max(log.last, n);
    return true;
  }

  /**
   * Whether everything `sent` announces has arrived (`fromFirst`: counting from the first message
   * seen of each sender, for a peer that joined while the messages flowed).
   */
  complete(sent: ReadonlyMap<string, number>, fromFirst: boolean): boolean {
    const { expected, received } = this.count(sent, fromFirst);
    return received >= expected;
  }

  /**
   * The receiver's report against what each sender says it sent. A peer that was in the room
   * before the first message expects all of them; one that joined meanwhile (`fromFirst`) expects
   * each sender's messages from the first it saw on.
   */
  report(sent: ReadonlyMap<string, number>, fromFirst: boolean): ReceiverReport {
    const { expected, received } = this.count(sent, fromFirst);
    return { identity: this.identity, expected, received, missing: expected - received, duplicates: this.duplicates };
  }

  private count(sent: ReadonlyMap<string, number>, fromFirst: boolean): { expected: number; received: number } {
    let expected = 0;
    let received = 0;
    for (const [sender, total] of sent) {
      if (sender === this.identity) continue;
      const log = this.senders.get(sender);
      const from = fromFirst ? (log?.first ?? total + 1) : 1;
      expected += Math.max(0, total - from + 1);
      if (log === undefined) continue;
      for (let n = from; n <= Math.min(total, log.seen.length - 1); n++) received += log.seen[n] ?? 0;
    }
    return { expected, received };
  }
}
