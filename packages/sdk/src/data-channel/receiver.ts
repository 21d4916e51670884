import { batchBounds, decodeDelivered, isBatch, unpackBatch, type ReceivedEnvelope } from '../protocol/index.js';
import { SeqWindow } from './seq-window.js';

/**
 * The receiving side of both channels. Decodes envelopes (the payload with its header, in one
 * pass), and drops reliable deliveries already seen: the server numbers them per room and
 * replays recent ones after a resume. Numbers are remembered one by one (not just the highest)
 * because a replay after a receive-buffer overflow may bring an older message that never
 * arrived. Lossy deliveries carry 0. Also drops deliveries stamped with our own ID: the server
 * skips a broadcast's sender in its fan-out, but a server that does not (or a relay between
 * nodes) would hand them back.
 */
export class Receiver {
  /** This peer's ID; deliveries from it are dropped. */
  ownId: string | undefined;
  private readonly seen = new SeqWindow();
  private receivedCount = 0;
  private duplicateCount = 0;
  private malformedCount = 0;

  /** Room sequence number of the last reliable delivery accepted; a resume reports it. */
  get lastSeq(): number {
    return this.seen.highest;
  }

  /**
   * The server says the room's reliable messages up to `seq` that have not come never will: a
   * resume then asks only for what follows.
   */
  lostUpTo(seq: number): void {
    if (seq > this.seen.highest) this.seen.add(seq);
  }

  /** Deliveries accepted. */
  get received(): number {
    return this.receivedCount;
  }

  /** Reliable deliveries dropped as already seen. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Deliveries dropped because the envelope (payload included) could not be decoded. */
  get malformed(): number {
    return this.malformedCount;
  }

  /**
   * Reads one DataChannel message, a single delivery or a batch of them, and hands each delivery
   * accepted to `deliver`, in order. An unreadable batch counts as one malformed message and
   * delivers nothing.
   */
  receive(data: unknown, deliver: (envelope: ReceivedEnvelope) => void): void {
    const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
    if (bytes === undefined) {
      this.malformedCount++;
      return;
    }
    if (!isBatch(bytes)) {
      this.acceptRange(bytes, 0, bytes.length, deliver);
      return;
    }
    const bounds = batchBounds(bytes);
    if (bounds !== undefined) {
      for (let i = 0; i < bounds.length; i += 2) this.acceptRange(bytes, bounds[i]!, bounds[i + 1]!, deliver);
      return;
    }
    // Not in the form the server writes: the generic decode reads it or refuses it.
    let list: Uint8Array[];
    try {
      list = unpackBatch(bytes);
    } catch {
      this.malformedCount++;
      return;
    }
    for (const element of list) this.acceptRange(element, 0, element.length, deliver);
  }

  private acceptRange(bytes: Uint8Array, start: number, end: number, deliver: (envelope: ReceivedEnvelope) => void): void {
    let envelope: ReceivedEnvelope;
    try {
      envelope = decodeDelivered(bytes, start, end);
    } catch {
      // A peer cannot be told its message was unreadable.
      this.malformedCount++;
      return;
    }
    if (envelope.seq > 0 && !this.seen.add(envelope.seq)) {
      this.duplicateCount++;
      return;
    }
    // An echoed own broadcast is numbered in the room like any other, so it moves `lastSeq` first.
    if (envelope.from === this.ownId) return;
    this.receivedCount++;
    deliver(envelope);
  }
}
