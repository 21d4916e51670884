import type { Peer } from '../rooms/peer.js';

/**
 * How long the ack of a message nobody waits on may wait. It only bounds what the sender's SDK
 * keeps for a replay (`stats.unacked`), so it can be long next to a delivery: an ack sent in
 * the same turn as the delivery it follows costs that delivery a WebSocket write and a wake-up
 * of the sender's process (0.17 ms of the 1:1 p50 in `bench:relay-path`, see docs/benchmarks.md).
 */
export const LAZY_ACK_MS = 50;

/** A sender this many messages ahead of its last ack gets one at the end of the turn. */
export const LAZY_ACK_MESSAGES = 256;

/**
 * Acks of peers' reliable messages, batched. A sender waits on some messages: a receipt it asked
 * for (the envelope's `receipt` flag), a stream chunk (its window moves on acks), a resent
 * duplicate. Those are acknowledged at the end of the turn that read them, after every message
 * that turn read was processed, so a receipt comes one round trip after its message. The
 * others are acknowledged lazily, within {@link LAZY_ACK_MS} or {@link LAZY_ACK_MESSAGES},
 * whichever comes first; every pending peer is told its settled seq whenever either fires.
 */
export class AckBatcher {
  /** Peers with an ack due, and how many of their messages it covers. */
  private readonly pending = new Map<Peer, number>();
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** The peer's settled seq moved (or a duplicate needs the ack repeated); `prompt` when its sender waits on it. */
  schedule(peer: Peer, prompt: boolean): void {
    const count = (this.pending.get(peer) ?? 0) + 1;
    this.pending.set(peer, count);
    if (prompt || count >= LAZY_ACK_MESSAGES) this.immediate ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), LAZY_ACK_MS);
  }

  /** Forgets a peer that left. */
  forget(peer: Peer): void {
    this.pending.delete(peer);
  }

  close(): void {
    this.cancel();
    this.pending.clear();
  }

  private flush(): void {
    this.cancel();
    for (const peer of this.pending.keys()) peer.connection?.notify('ack', { seq: peer.settledSeq });
    this.pending.clear();
  }

  private cancel(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
  }
}
