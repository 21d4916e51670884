import type { Peer } from '../rooms/peer.js';

// One notification per peer per tick of this length at most.
const ACK_DELAY_MS = 10;

/** Acks of peers' reliable messages, batched: each pending peer is told its settled seq once per tick. */
export class AckBatcher {
  private readonly pending = new Set<Peer>();
  private timer: NodeJS.Timeout | undefined;

  /** The peer's settled seq moved (or a duplicate needs the ack repeated). */
  schedule(peer: Peer): void {
    this.pending.add(peer);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const peer of this.pending) peer.connection?.notify('ack', { seq: peer.settledSeq });
      this.pending.clear();
    }, ACK_DELAY_MS);
  }

  /** Forgets a peer that left. */
  forget(peer: Peer): void {
    this.pending.delete(peer);
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
