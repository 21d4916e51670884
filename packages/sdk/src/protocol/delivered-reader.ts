import { decodeRange } from './codec.js';
import type { EnvelopeKind, ReceivedEnvelope } from './envelope.js';

/**
 * Reads a delivered envelope's header by hand, in the form `encodeDelivered` writes it (a fixmap
 * of short fixstr keys, the header's values as unsigned integers, float64, `true` and ASCII
 * strings, `d` last), and decodes only the payload with msgpackr. Every delivery pays the
 * header, and msgpackr's generic path for it (a key cache, a map object that
 * `decodeDelivered` then copies) cost about as much as decoding the payload itself.
 *
 * Anything in another form (another key, value type or order, a non-ASCII name, a value that
 * fails a check) gives `undefined`, and the caller decodes the bytes the generic way, which
 * accepts or refuses them as before: this reader only ever says yes to what the generic decode
 * reads the same way. A payload that does not decode throws `MALFORMED`, as it would there.
 */
export function readDelivered(bytes: Uint8Array, start: number, end: number): ReceivedEnvelope | undefined {
  if (end > bytes.length) return undefined;
  src = bytes;
  limit = end;
  const payloadAt = readHeader(start);
  src = EMPTY;
  if (payloadAt < 0 || from === undefined) return undefined;
  // The same fields in the same order as `decodeDelivered`, so both give objects of one shape.
  const envelope: ReceivedEnvelope = { kind: kind as EnvelopeKind, seq, from, serverTime, type, targeted, data: decodeRange(bytes, payloadAt, end) };
  if (topic !== undefined) envelope.topic = topic;
  if (history) envelope.history = true;
  if (callId >= 0) envelope.callId = callId;
  return envelope;
}

// Reads the header fields into the module's variables below; the payload's offset, or -1.
function readHeader(start: number): number {
  const head = src[start]!;
  // A fixmap of 2 to 15 fields (a negated test, so that `start` past the end fails too).
  if (!(head > 0x81 && head <= 0x8f)) return -1;
  position = start + 1;
  kind = seq = serverTime = callId = -1;
  from = undefined;
  type = '';
  topic = undefined;
  targeted = history = false;
  for (let fields = head - 0x80 - 1; fields > 0; fields--) {
    switch (readKey()) {
      case KEY_KIND:
        kind = readUnsigned();
        break;
      case KEY_SEQ:
        seq = readUnsigned();
        break;
      case KEY_FROM: {
        const value = readAscii(lastFrom);
        if (value === undefined) return -1;
        from = lastFrom = value;
        break;
      }
      case KEY_SERVER_TIME:
        serverTime = readTime();
        break;
      case KEY_TYPE: {
        const value = readAscii(lastType);
        if (value === undefined || !validName(value)) return -1;
        type = lastType = value;
        break;
      }
      case KEY_TOPIC: {
        const value = readAscii(lastTopic);
        if (value === undefined || !validName(value)) return -1;
        topic = lastTopic = value;
        break;
      }
      case KEY_TARGETED:
        if (!readTrue()) return -1;
        targeted = true;
        break;
      case KEY_HISTORY:
        if (!readTrue()) return -1;
        history = true;
        break;
      case KEY_CALL_ID:
        callId = readUnsigned();
        if (callId < 0) return -1;
        break;
      default:
        return -1;
    }
  }
  if (kind < 0 || kind > 3 || seq < 0 || serverTime < 0 || from === undefined || type === '') return -1;
  // `d` last, with at least one byte of payload.
  if (position + 2 >= limit || src[position] !== 0xa1 || src[position + 1] !== 0x64) return -1;
  return position + 2;
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
const MAX_NAME_LENGTH = 128;
const EMPTY = new Uint8Array(0);

// The reader's cursor, module state as in msgpackr: the reader never calls out while using it.
let src: Uint8Array = EMPTY;
let position = 0;
let limit = 0;
// The header just read.
let kind = -1;
let seq = -1;
let serverTime = -1;
let callId = -1;
let from: string | undefined;
let type = '';
let topic: string | undefined;
let targeted = false;
let history = false;
// The last sender, type and topic read: consecutive deliveries mostly repeat them, and handing
// out the same string spares building one and lets event-name lookups reuse its hash.
let lastFrom = '';
let lastType = '';
let lastTopic = '';
// Big-endian float64 from bytes, without a DataView per envelope.
const float = new DataView(new ArrayBuffer(8));

function readKey(): number {
  if (position + 3 > limit) return -1;
  const header = src[position]!;
  if (header === 0xa1) {
    position += 2;
    return src[position - 1]!;
  }
  if (header === 0xa2) {
    position += 3;
    return src[position - 2]! | (src[position - 1]! << 8);
  }
  return -1;
}

// A non-negative integer up to 2^32 - 1; -1 for anything else (the generic decode decides).
function readUnsigned(): number {
  if (position >= limit) return -1;
  const token = src[position++]!;
  if (token < 0x80) return token;
  if (token === 0xcc && position + 1 <= limit) return src[position++]!;
  if (token === 0xcd && position + 2 <= limit) {
    position += 2;
    return (src[position - 2]! << 8) | src[position - 1]!;
  }
  if (token === 0xce && position + 4 <= limit) {
    position += 4;
    return src[position - 4]! * 0x1000000 + ((src[position - 3]! << 16) | (src[position - 2]! << 8) | src[position - 1]!);
  }
  return -1;
}

// Server time: a float64 (as msgpackr writes milliseconds since 1970) or a small unsigned integer.
function readTime(): number {
  if (position < limit && src[position] === 0xcb && position + 9 <= limit) {
    for (let i = 0; i < 8; i++) float.setUint8(i, src[position + 1 + i]!);
    position += 9;
    const time = float.getFloat64(0);
    // NaN, infinities and negative times: left to the generic decode.
    return time >= 0 && time <= Number.MAX_VALUE ? time : -1;
  }
  return readUnsigned();
}

function readTrue(): boolean {
  if (position < limit && src[position] === 0xc3) {
    position++;
    return true;
  }
  return false;
}

// An ASCII string (fixstr or str8): `cached` if it holds the same characters; undefined otherwise.
function readAscii(cached: string): string | undefined {
  if (position >= limit) return undefined;
  const token = src[position]!;
  let length: number;
  if (token >= 0xa0 && token <= 0xbf) {
    length = token - 0xa0;
    position++;
  } else if (token === 0xd9 && position + 2 <= limit) {
    length = src[position + 1]!;
    position += 2;
  } else {
    return undefined;
  }
  const end = position + length;
  if (end > limit) return undefined;
  let same = cached.length === length;
  for (let i = position; i < end; i++) {
    const byte = src[i]!;
    if (byte >= 0x80) return undefined;
    if (same && cached.charCodeAt(i - position) !== byte) same = false;
  }
  const start = position;
  position = end;
  if (same) return cached;
  return String.fromCharCode.apply(null, src.subarray(start, end) as unknown as number[]);
}

function validName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH;
}
