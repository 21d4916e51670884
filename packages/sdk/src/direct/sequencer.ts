/**
 * Exactly once, in order, for a direct channel's reliable messages, whichever path each copy
 * took. The sender numbers messages and keeps those sent on the direct path until the peer
 * acknowledges them: when the path drops they are sent again through the relay, so the receiver
 * may get a message twice and some out of order. The receiver delivers each number once, in
 * order, holding back those that come early.
 */
export class Sequencer<T> {
  /** How far ahead of the last delivered number a message may be held; beyond, it is dropped. */
  static readonly MAX_AHEAD = 65_536;

  private sent = 0;
  private delivered = 0;
  // Sent on the direct path and not yet acknowledged, in order.
  private readonly unacked: { seq: number; item: T }[] = [];
  private readonly early = new Map<number, T>();

  /** Numbers the next outgoing message. */
  next(): number {
    this.sent += 1;
    return this.sent;
  }

  /** Keeps message `seq`, sent on the direct path, until it is acknowledged. */
  keep(seq: number, item: T): void {
    this.unacked.push({ seq, item });
  }

  /** The peer has every message up to `seq`. */
  acknowledged(seq: number): void {
    let count = 0;
    while (count < this.unacked.length && (this.unacked[count] as { seq: number }).seq <= seq) count += 1;
    // One splice per acknowledgement, rather than a shift (which moves the whole array) per message.
    if (count > 0) this.unacked.splice(0, count);
  }

  /** Takes the unacknowledged messages, oldest first, to send them another way. */
  takeUnacked(): { seq: number; item: T }[] {
    return this.unacked.splice(0);
  }

  /** Highest number delivered in order: what to acknowledge. */
  get deliveredSeq(): number {
    return this.delivered;
  }

  /** Accepts message `seq`; returns what can now be delivered, in order (nothing for a duplicate). */
  receive(seq: number, item: T): T[] {
    // The usual case, next in order with nothing held: no map to go through.
    if (seq === this.delivered + 1 && this.early.size === 0) {
      this.delivered = seq;
      return [item];
    }
    if (seq <= this.delivered || seq > this.delivered + Sequencer.MAX_AHEAD || this.early.has(seq)) return [];
    this.early.set(seq, item);
    const ready: T[] = [];
    for (let next = this.early.get(this.delivered + 1); next !== undefined; next = this.early.get(this.delivered + 1)) {
      this.early.delete(this.delivered + 1);
      this.delivered += 1;
      ready.push(next);
    }
    return ready;
  }
}
