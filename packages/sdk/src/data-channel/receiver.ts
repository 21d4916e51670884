import { decodeDelivered, unpackDelivered, type ReceivedEnvelope } from '../protocol/index.js';
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
   * Reads one DataChannel message, a single delivery or a batch of them: the deliveries accepted,
   * in order. An unreadable batch counts as one malformed message.
   */
  acceptAll(data: unknown): ReceivedEnvelope[] {
    const envelopes = this.read(data, unpackDelivered);
    if (envelopes === undefined) return [];
    const deliveries: ReceivedEnvelope[] = [];
    for (const bytes of envelopes) {
      const delivery = this.accept(bytes);
      if (delivery !== undefined) deliveries.push(delivery);
    }
    return deliveries;
  }

  /** Reads one delivered envelope; undefined when it is a duplicate or cannot be read. */
  accept(data: unknown): ReceivedEnvelope | undefined {
    const envelope = this.read(data, decodeDelivered);
    if (envelope === undefined) return undefined;
    if (envelope.seq > 0 && !this.seen.add(envelope.seq)) {
      this.duplicateCount++;
      return undefined;
    }
    // An echoed own broadcast is numbered in the room like any other, so it moves `lastSeq` first.
    if (envelope.from === this.ownId) return undefined;
    this.receivedCount++;
    return envelope;
  }

  /** Decodes, or counts a malformed message: a peer cannot be told its message was unreadable. */
  private read<T>(data: unknown, decoder: (bytes: Uint8Array) => T): T | undefined {
    try {
      if (data instanceof Uint8Array) return decoder(data);
      if (data instanceof ArrayBuffer) return decoder(new Uint8Array(data));
      throw new TypeError('not binary');
    } catch {
      this.malformedCount++;
      return undefined;
    }
  }
}
