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
 * make its own envelope unreadable, never its neighbours': some decoders' extensions (msgpackr's
 * records and sets) let one value change how the values after it in the same decode read.
 */
interface BatchWire {
  b: Uint8Array[];
}

/** MessagePack bytes around each element (bin 32 header) and the whole batch (map, key, array 32). */
export const BATCH_ELEMENT_OVERHEAD = 5;
export const BATCH_OVERHEAD = 8;

/**
 * The largest batch of lossy envelopes, client's or server's: what one SCTP packet carries (a
 * WebRTC SCTP packet is at most about 1,200 bytes, of which 28 are headers), so that a lost
 * packet loses only the messages it held. A lossy message larger than this goes alone.
 */
export const LOSSY_BATCH_MAX_BYTES = 1100;

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
 * Where each element of a batch lies in `bytes`, start and end offsets in turn: read in place,
 * without a view per element. Undefined for anything but a batch as {@link encodeBatch} writes
 * it (an array of up to 65,535 `bin` elements filling the bytes exactly), which
 * {@link unpackBatch} then reads or refuses.
 */
export function batchBounds(bytes: Uint8Array): number[] | undefined {
  if (!isBatch(bytes)) return undefined;
  // fixarray or array 16 (the server's batches are capped far below 65,536 elements).
  let count = bytes[3]! - 0x90;
  let p = 4;
  if (bytes[3] === 0xdc) {
    count = (bytes[4]! << 8) | bytes[5]!;
    p = 6;
  } else if (!(count > 0 && count < 16)) {
    return undefined;
  }
  const bounds: number[] = [];
  for (; count > 0; count--) {
    // bin 8, 16 or 32; a length read past the end is NaN, and fails the test below.
    const size = bytes[p] === 0xc4 ? 1 : bytes[p] === 0xc5 ? 2 : bytes[p] === 0xc6 ? 4 : 0;
    if (size === 0) return undefined;
    let length = 0;
    for (let i = 1; i <= size; i++) length = length * 256 + bytes[p + i]!;
    p += 1 + size;
    bounds.push(p, (p += length));
  }
  return bounds.length > 0 && p === bytes.length ? bounds : undefined;
}
