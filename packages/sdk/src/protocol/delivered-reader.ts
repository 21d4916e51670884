import { decodeRange } from './codec.js';
import type { EnvelopeKind, ReceivedEnvelope } from './envelope.js';
import { MAX_NAME_LENGTH, readAsciiName } from './names.js';

/**
 * Reads a delivered envelope's header by hand, in the form `encodeDelivered` writes it (a fixmap
 * of short fixstr keys, the header's values as unsigned integers, float64, `true` and ASCII
 * strings, `d` last), and decodes only the payload with the generic decoder. Every delivery
 * pays the header, and a generic path for it (msgpackr's, when it was the codec: a key cache
 * per key, a map object that `decodeDelivered` then copied) cost more than reading these few
 * fixed fields.
 *
 * Anything in another form (another key, value type or order, a non-ASCII name, a value that
 * fails a check) gives `undefined`, and the caller decodes the bytes the generic way, which
 * accepts or refuses them as before: this reader only ever says yes to what the generic decode
 * reads the same way. A payload that does not decode throws `MALFORMED`, as it would there.
 * One function with its cursor in a local: module-level cursor state, as generic decoders keep
 * (theirs must survive recursion), made the header cost about twice as much.
 */
export function readDelivered(bytes: Uint8Array, start: number, end: number): ReceivedEnvelope | undefined {
  if (end > bytes.length) return undefined;
  const head = bytes[start]!;
  if (!(head > 0x81 && head <= 0x8f)) return undefined;
  let p = start + 1;
  let kind = -1;
  let seq = -1;
  let serverTime = -1;
  let callId = -1;
  let from: string | undefined;
  let type: string | undefined;
  let topic: string | undefined;
  let targeted = false;
  let history = false;
  // `p` only grows, and a value read past `end` leaves it past `end`, which the test before the
  // payload refuses: the value tests below need not check bounds each.
  for (let fields = head - 0x81; fields > 0; fields--) {
    // Every header key is a fixstr of one or two bytes.
    let key = bytes[p + 1]!;
    if (bytes[p] === 0xa2) key |= bytes[++p + 1]! << 8;
    else if (bytes[p] !== 0xa1) return undefined;
    p += 2;
    const token = bytes[p++]!;
    if (key === KEY_FROM || key === KEY_TYPE || key === KEY_TOPIC) {
      // fixstr or str8
      const length = token === 0xd9 ? bytes[p++]! : token - 0xa0;
      if (!(length >= 0 && length < 32) && token !== 0xd9) return undefined;
      const value = p + length <= end ? readAsciiName(bytes, p, length, key === KEY_FROM ? lastFrom : key === KEY_TYPE ? lastType : lastTopic) : undefined;
      if (value === undefined) return undefined;
      p += length;
      if (key === KEY_FROM) from = lastFrom = value;
      else if (length === 0 || length > MAX_NAME_LENGTH) return undefined;
      else if (key === KEY_TYPE) type = lastType = value;
      else topic = lastTopic = value;
    } else if (key === KEY_SERVER_TIME && token === 0xcb) {
      for (let i = 0; i < 8; i++) float.setUint8(i, bytes[p + i]!);
      p += 8;
      serverTime = float.getFloat64(0);
      if (!(serverTime >= 0 && serverTime <= Number.MAX_VALUE)) return undefined;
    } else if (key === KEY_TARGETED || key === KEY_HISTORY) {
      if (token !== 0xc3) return undefined;
      if (key === KEY_TARGETED) targeted = true;
      else history = true;
    } else {
      // k, s, c and an integer ts: positive fixint, uint 8, 16 or 32.
      const size = token < 0x80 ? 0 : token === 0xcc ? 1 : token === 0xcd ? 2 : token === 0xce ? 4 : -1;
      let value = size === 0 ? token : 0;
      for (let i = 0; i < size; i++) value = value * 256 + bytes[p++]!;
      if (key === KEY_KIND && size === 0) kind = value;
      else if (key === KEY_SEQ && size >= 0) seq = value;
      else if (key === KEY_CALL_ID && size >= 0) callId = value;
      else if (key === KEY_SERVER_TIME && size >= 0) serverTime = value;
      else return undefined;
    }
  }
  if (kind < 0 || kind > 3 || seq < 0 || serverTime < 0 || from === undefined || type === undefined) return undefined;
  // `d` last, with at least one byte of payload.
  if (p + 2 >= end || bytes[p] !== 0xa1 || bytes[p + 1] !== 0x64) return undefined;
  // The same fields in the same order as `decodeDelivered`, so both give objects of one shape.
  const envelope: ReceivedEnvelope = { kind: kind as EnvelopeKind, seq, from, serverTime, type, targeted, data: decodeRange(bytes, p + 2, end) };
  if (topic !== undefined) envelope.topic = topic;
  if (history) envelope.history = true;
  if (callId >= 0) envelope.callId = callId;
  return envelope;
}

// Keys as their fixstr bytes after the header byte: one byte, or two (second byte << 8).
const KEY_KIND = 0x6b; // k
const KEY_SEQ = 0x73; // s
const KEY_FROM = 0x66; // f
const KEY_SERVER_TIME = 0x74 | (0x73 << 8); // ts
const KEY_TYPE = 0x74; // t
const KEY_TOPIC = 0x74 | (0x70 << 8); // tp
const KEY_TARGETED = 0x70; // p
const KEY_HISTORY = 0x68; // h
const KEY_CALL_ID = 0x63; // c

// The last sender, type and topic read: consecutive deliveries mostly repeat them.
let lastFrom = '';
let lastType = '';
let lastTopic = '';
// Big-endian float64 from bytes, without a DataView per envelope.
const float = new DataView(new ArrayBuffer(8));
