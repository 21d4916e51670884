/** A reliable delivery kept for peers that may resume. */
export interface LoggedMessage {
  /** Room sequence number. */
  readonly seq: number;
  /** Sender's peer ID (never replayed to the sender itself). */
  readonly from: string;
  /** Explicit recipients, or undefined for a broadcast. */
  readonly targets: readonly string[] | undefined;
  readonly topic: string | undefined;
  /** The encoded envelope exactly as delivered. */
  readonly bytes: Uint8Array;
  /** When it was sent (ms since epoch). */
  readonly at: number;
}

/**
 * The room's recent reliable deliveries, oldest first, bounded by total bytes and by age. A
 * resuming peer gets what it missed from here; a peer cannot resume past what was evicted.
 */
export class ReplayLog {
  private readonly entries: LoggedMessage[] = [];
  private head = 0;
  private bytes = 0;
  /** Sequence number of the newest message ever evicted (0: none yet). */
  private evictedUpTo = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Adds the newest delivery and evicts what no longer fits. */
  append(message: LoggedMessage): void {
    this.entries.push(message);
    this.bytes += message.bytes.byteLength;
    this.evict(message.at);
  }

  /**
   * Puts messages from before the oldest one held (fetched from elsewhere, in order, with no gap
   * up to it) at the head: the log then replays from `afterSeq`.
   */
  prepend(older: readonly LoggedMessage[], afterSeq: number): void {
    const held = this.entries.slice(this.head);
    this.entries.splice(0, this.entries.length, ...older, ...held);
    this.head = 0;
    for (const message of older) this.bytes += message.bytes.byteLength;
    this.evictedUpTo = Math.min(this.evictedUpTo, afterSeq);
  }

  /** Sequence number of the oldest message held, if any. */
  get oldestSeq(): number | undefined {
    return this.entries[this.head]?.seq;
  }

  /** Messages up to `seq` will never be appended (they were lost before they got here). */
  skipTo(seq: number): void {
    this.evictedUpTo = Math.max(this.evictedUpTo, seq);
  }

  /**
   * The logged messages after `seq`, oldest first, or undefined when some of them were already
   * evicted (the caller cannot replay completely).
   */
  since(seq: number, now: number): LoggedMessage[] | undefined {
    this.evict(now);
    if (seq < this.evictedUpTo) return undefined;
    const result: LoggedMessage[] = [];
    for (let i = this.entries.length - 1; i >= this.head; i--) {
      const entry = this.entries[i] as LoggedMessage;
      if (entry.seq <= seq) break;
      result.push(entry);
    }
    return result.reverse();
  }

  private evict(now: number): void {
    while (this.head < this.entries.length) {
      const oldest = this.entries[this.head] as LoggedMessage;
      if (this.bytes <= this.maxBytes && now - oldest.at <= this.maxAgeMs) break;
      this.bytes -= oldest.bytes.byteLength;
      this.evictedUpTo = oldest.seq;
      this.head++;
    }
    // Compact once the dead prefix dominates, so eviction stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
