import { encode, MAX_NAME_LENGTH, ProtocolError } from '../protocol/index.js';

/**
 * What a direct channel carries, on its data channels or through the relay: a message (with
 * `seq`, its number, when reliable) or an acknowledgement of reliable messages up to `ack`.
 * Payloads stay MessagePack bytes inside the frame, as in room envelopes. On the relay a frame is
 * a MessagePack map (this module); on the data channels, a header written by hand (link-frame.ts).
 */
export type DirectFrame = { kind: 'message'; seq?: number; type: string; data: Uint8Array } | { kind: 'ack'; ack: number };

// Short keys, as in room envelopes: c channel, n number, a ack, t type, d data.
interface FrameWire {
  c?: string;
  n?: number;
  a?: number;
  t?: string;
  d?: Uint8Array;
}

/** Encodes a frame for the relay, where frames of every channel meet: with its channel's ID. */
export function encodeFrame(frame: DirectFrame, channelId: string): Uint8Array {
  const wire: FrameWire = frame.kind === 'ack' ? { a: frame.ack, c: channelId } : { t: frame.type, d: frame.data, c: channelId };
  if (frame.kind === 'message' && frame.seq !== undefined) wire.n = frame.seq;
  return encode(wire);
}

// Bytes of a relayed frame beyond its type, data and channel ID, at most: the map header, four
// one-letter keys, the string and binary headers, and the largest number.
const RELAY_HEADROOM = 32;

/**
 * Size of a message frame on the relay (with `channelId` and the largest number it could carry).
 * Encodes it only when a cheap upper bound (UTF-8 takes at most 3 bytes per UTF-16 unit) does not
 * already show it to be within `limit`, which is then returned instead: the common case costs
 * no encoding.
 */
export function relayFrameSize(frame: DirectFrame & { kind: 'message' }, channelId: string, limit: number): number {
  const bound = frame.data.byteLength + 3 * (frame.type.length + channelId.length) + RELAY_HEADROOM;
  if (bound <= limit) return bound;
  return encodeFrame({ ...frame, seq: Number.MAX_SAFE_INTEGER }, channelId).byteLength;
}

/** Reads a relayed frame, already decoded by the room; throws {@link ProtocolError} `MALFORMED`. */
export function readRelayed(value: unknown): { channelId: string; frame: DirectFrame } {
  const { channelId, frame } = readFrame(value);
  if (channelId === undefined) malformed('relayed frame lacks its channel');
  return { channelId, frame };
}

function readFrame(value: unknown): { channelId: string | undefined; frame: DirectFrame } {
  if (typeof value !== 'object' || value === null) malformed('frame is not a map');
  const wire = value as FrameWire;
  const channelId = typeof wire.c === 'string' ? wire.c : undefined;
  if (wire.a !== undefined) {
    if (!isCount(wire.a)) malformed('ack must be a non-negative integer');
    return { channelId, frame: { kind: 'ack', ack: wire.a } };
  }
  if (typeof wire.t !== 'string' || wire.t.length === 0 || wire.t.length > MAX_NAME_LENGTH) malformed('frame type must be a short string');
  if (!(wire.d instanceof Uint8Array)) malformed('frame data must be binary');
  const frame: DirectFrame = { kind: 'message', type: wire.t, data: wire.d };
  if (wire.n !== undefined) {
    if (!isCount(wire.n) || wire.n === 0) malformed('frame number must be a positive integer');
    frame.seq = wire.n;
  }
  return { channelId, frame };
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
