import type { Peer } from '../rooms/peer.js';
import type { StampedMessage } from './sequencer.js';

/** How much lossy traffic a room holds for its connecting receivers, in bytes. */
const HOLD_MAX_BYTES = 256 * 1024;

interface Held {
  readonly n: number;
  readonly at: number;
  readonly message: StampedMessage;
}

/**
 * Lossy messages for peers whose receive association is not up yet. A peer is announced to the
 * room as soon as it is admitted, before it has even started ICE, so a lossy message sent to it
 * on `peerJoined` (or a broadcast sent meanwhile) found no subscribed channel and was lost
 * without a trace, however idle the path. Reliable messages wait in the replay log for the same
 * moment; lossy ones wait here, for no longer than a lossy delivery may wait in the worker's
 * send queue ({@link lossyLifetimeMs}), and within {@link HOLD_MAX_BYTES}. Nothing is held while
 * no peer is connecting.
 */
export class LossyHold {
  private readonly connecting = new Map<Peer, number>();
  private held: Held[] = [];
  /** Index of the oldest entry of {@link held} still held: pruning moves it, not the array. */
  private head = 0;
  private bytes = 0;
  private next = 0;

  constructor(
    private readonly lossyLifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `peer` is connecting: lossy messages from now on are kept for it. */
  start(peer: Peer): void {
    this.connecting.set(peer, this.next);
  }

  /** Keeps a lossy message for the connecting peers, if there are any. */
  keep(message: StampedMessage): void {
    if (this.connecting.size === 0) return;
    const now = this.now();
    this.held.push({ n: this.next++, at: now, message });
    this.bytes += message.bytes.byteLength;
    this.prune(now);
  }

  /**
   * `peer`'s receive channels are subscribed: the held messages addressed to it (targeted to
   * it, or broadcasts it admits and did not send), still within the lossy lifetime, in the
   * order they came.
   */
  release(peer: Peer, admits: (topic: string | undefined) => boolean): StampedMessage[] {
    const from = this.connecting.get(peer);
    if (from === undefined) return [];
    this.prune(this.now());
    const out: StampedMessage[] = [];
    for (let i = this.head; i < this.held.length; i++) {
      const { n, message } = this.held[i]!;
      if (n < from || message.from === peer.id) continue;
      if (message.targets ? message.targets.includes(peer.id) : admits(message.topic)) out.push(message);
    }
    this.forget(peer);
    return out;
  }

  /** `peer` stopped connecting (it left, or its connection dropped). */
  forget(peer: Peer): void {
    this.connecting.delete(peer);
    if (this.connecting.size > 0) return;
    this.held = [];
    this.head = 0;
    this.bytes = 0;
  }

  private prune(now: number): void {
    while (this.head < this.held.length) {
      const oldest = this.held[this.head]!;
      if (now - oldest.at <= this.lossyLifetimeMs && this.bytes <= HOLD_MAX_BYTES) break;
      this.bytes -= oldest.message.bytes.byteLength;
      this.head++;
    }
    // Compacted once half of the array is gone: amortised O(1) per message.
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }
}
