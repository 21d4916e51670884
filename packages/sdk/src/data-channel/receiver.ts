import { decode, decodeDelivered, unpackDelivered, type DeliveredEnvelope } from '../protocol/index.js';

/** A delivered envelope with its payload decoded. */
export interface Delivery {
  envelope: DeliveredEnvelope;
  payload: unknown;
}

// Reliable sequence numbers remembered for duplicate detection; older ones count as seen. The
// server's replay never reaches back further than its log, which holds far fewer messages.
const SEEN_WINDOW = 65536;

/**
 * The receiving side of both channels. Decodes envelopes and payloads, and drops reliable
 * deliveries already seen: the server numbers them per room and replays recent ones after a
 * resume. Numbers are remembered one by one (not just the highest) because a replay after a
 * receive-buffer overflow may bring an older message that never arrived. Lossy deliveries
 * carry 0. Also drops deliveries stamped with our own ID: the server skips a broadcast's sender
 * in its fan-out, but a server that does not (or a relay between nodes) would hand them back.
 */
export class Receiver {
  /** This peer's ID; deliveries from it are dropped. */
  ownId: string | undefined;
  private lastSeqSeen = 0;
  private readonly seen = new Set<number>();
  private receivedCount = 0;
  private duplicateCount = 0;
  private malformedCount = 0;

  /** Room sequence number of the last reliable delivery accepted; a resume reports it. */
  get lastSeq(): number {
    return this.lastSeqSeen;
  }

  /** Deliveries accepted. */
  get received(): number {
    return this.receivedCount;
  }

  /** Reliable deliveries dropped as already seen. */
  get duplicates(): number {
    return this.duplicateCount;
  }

  /** Deliveries dropped because the envelope or payload could not be decoded. */
  get malformed(): number {
    return this.malformedCount;
  }

  /**
   * Reads one DataChannel message, a single delivery or a batch of them: the deliveries accepted,
   * in order. An unreadable batch counts as one malformed message.
   */
  acceptAll(data: unknown): Delivery[] {
    const envelopes = this.read(data, unpackDelivered);
    if (envelopes === undefined) return [];
    const deliveries: Delivery[] = [];
    for (const bytes of envelopes.value) {
      const delivery = this.accept(bytes);
      if (delivery !== undefined) deliveries.push(delivery);
    }
    return deliveries;
  }

  /** Reads one delivered envelope; undefined when it is a duplicate or cannot be read. */
  accept(data: unknown): Delivery | undefined {
    const decoded = this.read(data, decodeDelivered);
    if (decoded === undefined) return undefined;
    const envelope = decoded.value;
    const seq = envelope.seq;
    if (seq > 0) {
      if (seq <= this.lastSeqSeen - SEEN_WINDOW || this.seen.has(seq)) {
        this.duplicateCount++;
        return undefined;
      }
      this.remember(seq);
    }
    // An echoed own broadcast is numbered in the room like any other, so it moves `lastSeq` first.
    if (envelope.from === this.ownId) return undefined;
    const payload = this.read(envelope.data, decode);
    if (payload === undefined) return undefined;
    this.receivedCount++;
    return { envelope, payload: payload.value };
  }

  private remember(seq: number): void {
    this.seen.add(seq);
    this.lastSeqSeen = Math.max(this.lastSeqSeen, seq);
    // Sets iterate in insertion order, which is nearly sequence order: trim from the front.
    if (this.seen.size > SEEN_WINDOW) {
      for (const old of this.seen) {
        if (this.seen.size <= SEEN_WINDOW) break;
        this.seen.delete(old);
      }
    }
  }

  /** Decodes, or counts a malformed message: a peer cannot be told its message was unreadable. */
  private read<T>(data: unknown, decoder: (bytes: Uint8Array) => T): { value: T } | undefined {
    try {
      if (!(data instanceof ArrayBuffer) && !(data instanceof Uint8Array)) throw new TypeError('not binary');
      return { value: decoder(data instanceof Uint8Array ? data : new Uint8Array(data)) };
    } catch {
      this.malformedCount++;
      return undefined;
    }
  }
}
