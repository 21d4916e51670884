import { decode, encode } from './codec.js';
import { ProtocolError } from './error-codes.js';

/**
 * Several envelopes in one DataChannel message. The server packs deliveries for the same
 * receivers produced in the same tick into one SCTP message (protocol version 2), and a client
 * packs the messages it sends in one tick (version 4), so one crossing of the mediasoup channel
 * and one SCTP message carry them all. Each element is a
 * complete envelope (delivered, or outgoing), with its own seq, from and targeting: unpacking gives exactly the
 * messages that would have arrived one by one, in the same order. Elements stay binary (each
 * decoded on its own) so that a sender's payload, spliced into its envelope unread, can at worst
 * make its own envelope unreadable, never its neighbours': msgpackr's extensions (records,
 * sets) let one value change how the values after it in the same decode read.
 */
interface BatchWire {
  b: Uint8Array[];
}

/** MessagePack bytes around each element (bin 32 header) and the whole batch (map, key, array 32). */
export const BATCH_ELEMENT_OVERHEAD = 5;
export const BATCH_OVERHEAD = 8;

/** Packs encoded envelopes (all delivered, or all outgoing) into one batch. */
export function encodeBatch(envelopes: readonly Uint8Array[]): Uint8Array {
  const wire: BatchWire = { b: envelopes as Uint8Array[] };
  return encode(wire);
}

/**
 * The delivered envelopes in `bytes`: its elements if it is a batch, else `bytes` itself (one
 * envelope, to be decoded by the caller). Throws {@link ProtocolError} `MALFORMED`.
 */
export function unpackDelivered(bytes: Uint8Array): Uint8Array[] {
  return isBatch(bytes) ? unpackBatch(bytes) : [bytes];
}

/**
 * Whether `bytes` is a batch rather than one envelope. An envelope (delivered or outgoing) is a
 * map whose first key is `k`; a batch's only key is `b`. Peeking at the first key (fixmap, fixstr
 * of one byte) spares a decode of every single message.
 */
export function isBatch(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x81 && bytes[1] === 0xa1 && bytes[2] === 0x62;
}

/** The envelopes of a batch, in order; throws {@link ProtocolError} `MALFORMED`. */
export function unpackBatch(bytes: Uint8Array): Uint8Array[] {
  const wire = decode(bytes) as Partial<BatchWire> | null;
  const list = wire?.b;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => item instanceof Uint8Array)) {
    throw new ProtocolError('MALFORMED', 'a batch must hold a non-empty list of binary envelopes');
  }
  return list;
}

/**
 * A batch's elements read in place, as offsets into its bytes: no list and no view per element.
 * {@link BatchElements.of} checks the whole batch before the first element is handed out, so a
 * batch that cannot be read yields nothing, as with {@link unpackBatch}.
 */
export class BatchElements {
  /** Where the current element starts and ends in the batch's bytes (after {@link next}). */
  start = 0;
  end = 0;

  private constructor(
    private readonly bytes: Uint8Array,
    private at: number,
  ) {}

  /**
   * The elements of `bytes`, a batch as {@link encodeBatch} writes it (an array of `bin`
   * elements, filling the bytes exactly); undefined for anything else, which
   * {@link unpackBatch} then reads or refuses.
   */
  static of(bytes: Uint8Array): BatchElements | undefined {
    if (!isBatch(bytes)) return undefined;
    const token = bytes[3];
    let count: number;
    let at: number;
    if (token !== undefined && token > 0x90 && token <= 0x9f) {
      count = token - 0x90;
      at = 4;
    } else if (token === 0xdc && bytes.length >= 6) {
      count = (bytes[4]! << 8) | bytes[5]!;
      at = 6;
    } else if (token === 0xdd && bytes.length >= 8) {
      count = bytes[4]! * 0x1000000 + ((bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!);
      at = 8;
    } else {
      return undefined;
    }
    const elements = new BatchElements(bytes, at);
    for (let i = 0; i < count; i++) if (!elements.next()) return undefined;
    if (count === 0 || elements.end !== bytes.length) return undefined;
    elements.at = at;
    return elements;
  }

  /** Moves to the next element; false when its header is not a `bin` that fits in the batch. */
  next(): boolean {
    const { bytes, at } = this;
    const token = bytes[at];
    let length: number;
    let start: number;
    if (token === 0xc4 && at + 2 <= bytes.length) {
      length = bytes[at + 1]!;
      start = at + 2;
    } else if (token === 0xc5 && at + 3 <= bytes.length) {
      length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
      start = at + 3;
    } else if (token === 0xc6 && at + 5 <= bytes.length) {
      length = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
      start = at + 5;
    } else {
      return false;
    }
    if (start + length > bytes.length) return false;
    this.start = start;
    this.end = this.at = start + length;
    return true;
  }
}
