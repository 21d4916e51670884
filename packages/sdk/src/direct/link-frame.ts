import { MAX_NAME_LENGTH, ProtocolError, readAsciiName } from '../protocol/index.js';
import type { DirectFrame } from './direct-frame.js';

/**
 * Version of the frames on a direct channel's data channels. Version 1 frames were MessagePack
 * maps (first byte 0x80–0x8f); version 2 has a header written by hand, so a message costs one
 * MessagePack encoding (its payload) and one copy, and the receiver reads the header without a
 * decoder. Only SDKs talk on these data channels, and the protocol version (5, checked at `join`)
 * pins the frame version, so both ends of a channel frame alike; any other frame is malformed.
 */
export const LINK_FRAME_VERSION = 2;

// Version 2 layout, big-endian:
//   [version 2][kind]
//   ack:              [number: u64]
//   reliable message: [number: u64][type length: u16][type: UTF-8][payload: MessagePack]
//   lossy message:    [type length: u16][type: UTF-8][payload: MessagePack]
const KIND_ACK = 0;
const KIND_RELIABLE = 1;
const KIND_LOSSY = 2;
const NUMBER_BYTES = 8;
const TYPE_LENGTH_BYTES = 2;
const TWO_32 = 2 ** 32;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// UTF-8 of the types sent lately: a channel's types are few and repeat, so each message copies
// its type's bytes instead of encoding them. Bounded, so that many distinct types cannot grow it.
const TYPE_CACHE_LIMIT = 64;
const typeBytes = new Map<string, Uint8Array>();

function encodedType(type: string): Uint8Array {
  let bytes = typeBytes.get(type);
  if (bytes === undefined) {
    if (typeBytes.size >= TYPE_CACHE_LIMIT) typeBytes.clear();
    bytes = utf8.encode(type);
    typeBytes.set(type, bytes);
  }
  return bytes;
}

/** The data channel bytes of a message: `seq` for a reliable one, none for a lossy one; `payload` is MessagePack. */
export function encodeLinkMessage(type: string, seq: number | undefined, payload: Uint8Array): Uint8Array {
  const typed = encodedType(type);
  const head = 2 + (seq === undefined ? 0 : NUMBER_BYTES);
  const bytes = new Uint8Array(head + TYPE_LENGTH_BYTES + typed.byteLength + payload.byteLength);
  bytes[0] = LINK_FRAME_VERSION;
  bytes[1] = seq === undefined ? KIND_LOSSY : KIND_RELIABLE;
  if (seq !== undefined) writeNumber(bytes, 2, seq);
  bytes[head] = typed.byteLength >>> 8;
  bytes[head + 1] = typed.byteLength & 0xff;
  bytes.set(typed, head + TYPE_LENGTH_BYTES);
  bytes.set(payload, head + TYPE_LENGTH_BYTES + typed.byteLength);
  return bytes;
}

/** The data channel bytes of an acknowledgement of every reliable message up to `ack`. */
export function encodeLinkAck(ack: number): Uint8Array {
  const bytes = new Uint8Array(2 + NUMBER_BYTES);
  bytes[0] = LINK_FRAME_VERSION;
  bytes[1] = KIND_ACK;
  writeNumber(bytes, 2, ack);
  return bytes;
}

/**
 * Reads a frame from a data channel's bytes; a message's `data` is a view of `bytes` (its
 * MessagePack payload, not decoded here). Throws {@link ProtocolError} `MALFORMED`.
 */
export function decodeLinkFrame(bytes: Uint8Array): DirectFrame {
  if (bytes.byteLength < 2) malformed('frame too short');
  if (bytes[0] !== LINK_FRAME_VERSION) malformed(`unsupported direct frame version ${bytes[0]} (this SDK speaks ${LINK_FRAME_VERSION})`);
  const kind = bytes[1];
  if (kind === KIND_ACK) {
    if (bytes.byteLength !== 2 + NUMBER_BYTES) malformed('ack frame must be 10 bytes');
    return { kind: 'ack', ack: readNumber(bytes, 2) };
  }
  if (kind !== KIND_RELIABLE && kind !== KIND_LOSSY) malformed(`unknown frame kind ${kind}`);
  let offset = 2;
  let seq: number | undefined;
  if (kind === KIND_RELIABLE) {
    if (bytes.byteLength < offset + NUMBER_BYTES) malformed('frame too short');
    seq = readNumber(bytes, offset);
    if (seq === 0) malformed('frame number must be a positive integer');
    offset += NUMBER_BYTES;
  }
  if (bytes.byteLength < offset + TYPE_LENGTH_BYTES) malformed('frame too short');
  const typeLength = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
  offset += TYPE_LENGTH_BYTES;
  // At least one payload byte: a MessagePack value is never empty.
  if (typeLength === 0 || bytes.byteLength <= offset + typeLength) malformed('frame type or payload missing');
  const type = readType(bytes, offset, typeLength);
  const data = bytes.subarray(offset + typeLength);
  return seq === undefined ? { kind: 'message', type, data } : { kind: 'message', seq, type, data };
}

// The last type read: a channel's messages mostly repeat a type, which is then compared rather
// than decoded into a new string.
let lastType = '';

function readType(bytes: Uint8Array, offset: number, length: number): string {
  let type = readAsciiName(bytes, offset, length, lastType);
  if (type === undefined) {
    try {
      type = strictUtf8.decode(bytes.subarray(offset, offset + length));
    } catch {
      malformed('frame type is not UTF-8');
    }
  }
  if (type.length > MAX_NAME_LENGTH) malformed('frame type must be a short string');
  lastType = type;
  return type;
}

// Numbers are at most 2^53 - 1, written as two 32-bit halves.
function writeNumber(bytes: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  const low = value >>> 0;
  bytes[offset] = high >>> 24;
  bytes[offset + 1] = (high >>> 16) & 0xff;
  bytes[offset + 2] = (high >>> 8) & 0xff;
  bytes[offset + 3] = high & 0xff;
  bytes[offset + 4] = low >>> 24;
  bytes[offset + 5] = (low >>> 16) & 0xff;
  bytes[offset + 6] = (low >>> 8) & 0xff;
  bytes[offset + 7] = low & 0xff;
}

function readNumber(bytes: Uint8Array, offset: number): number {
  const high = (((bytes[offset] as number) << 24) | ((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)) >>> 0;
  const low = (((bytes[offset + 4] as number) << 24) | ((bytes[offset + 5] as number) << 16) | ((bytes[offset + 6] as number) << 8) | (bytes[offset + 7] as number)) >>> 0;
  if (high > 0x1fffff) malformed('frame number beyond 2^53 - 1');
  return high * TWO_32 + low;
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
