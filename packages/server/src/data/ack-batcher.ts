import type { Peer } from '../rooms/peer.js';

/**
 * Acks of peers' reliable messages, batched: each pending peer is told its settled seq once per
 * turn of the event loop, after every message that turn read was processed. A receipt therefore
 * comes one round trip after its message (no timer adds to it), and a flood still costs one
 * notification per peer per read of the worker's channel, not one per message.
 */
export class AckBatcher {
  private readonly pending = new Set<Peer>();
  private immediate: NodeJS.Immediate | undefined;

  /** The peer's settled seq moved (or a duplicate needs the ack repeated). */
  schedule(peer: Peer): void {
    this.pending.add(peer);
    this.immediate ??= setImmediate(() => {
      this.immediate = undefined;
      for (const peer of this.pending) peer.connection?.notify('ack', { seq: peer.settledSeq });
      this.pending.clear();
    });
  }

  /** Forgets a peer that left. */
  forget(peer: Peer): void {
    this.pending.delete(peer);
  }

  close(): void {
    clearImmediate(this.immediate);
  }
}
