import { decode, encode } from '../protocol/index.js';

// MessagePack's bin 8, bin 16 and bin 32 headers.
const BIN8 = 0xc4;
const BIN16 = 0xc5;
const BIN32 = 0xc6;

/**
 * The MessagePack bytes of a message's data. Binary data (a `Uint8Array`, the usual payload of a
 * latency-sensitive channel) gets its `bin` header written by hand: the same bytes as the codec
 * writes, without running the general encoder, whose code path costs ~10 µs per message when the
 * CPU's caches are cold, as they are between messages spaced a few ms apart.
 */
export function packPayload(data: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) return encode(data ?? null);
  const length = data.byteLength;
  const head = length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  const bytes = new Uint8Array(head + length);
  if (head === 2) {
    bytes[0] = BIN8;
    bytes[1] = length;
  } else if (head === 3) {
    bytes[0] = BIN16;
    bytes[1] = length >>> 8;
    bytes[2] = length & 0xff;
  } else {
    bytes[0] = BIN32;
    bytes[1] = length >>> 24;
    bytes[2] = (length >>> 16) & 0xff;
    bytes[3] = (length >>> 8) & 0xff;
    bytes[4] = length & 0xff;
  }
  bytes.set(data, head);
  return bytes;
}

/**
 * Decodes a message's MessagePack data. A lone `bin 8` or `bin 16` value is read by hand, as a
 * view of `bytes` (as the codec returns it); anything else goes through the codec. Throws
 * `ProtocolError` `MALFORMED`, as the codec does.
 */
export function unpackPayload(bytes: Uint8Array): unknown {
  const first = bytes[0];
  if (first === BIN8 && bytes.byteLength >= 2 && bytes.byteLength === 2 + (bytes[1] as number)) return bytes.subarray(2);
  if (first === BIN16 && bytes.byteLength >= 3 && bytes.byteLength === 3 + (((bytes[1] as number) << 8) | (bytes[2] as number))) return bytes.subarray(3);
  return decode(bytes);
}
