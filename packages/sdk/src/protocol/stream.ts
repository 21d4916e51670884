import { decode, encode } from './codec.js';
import { ProtocolError, type ErrorCode, type WireError } from './error-codes.js';

/**
 * What one stream envelope (kind `stream`) says. A stream is a numbered sequence of envelopes
 * from one sender, all with the same type, targets and topic: `open`, then `chunk`s numbered
 * from 0, then `end` (or `cancel`). `stop` goes the other way: a receiver tells the sender it
 * stopped reading the sender's stream `id`.
 */
export type StreamFrame =
  | { op: 'open'; id: number; size?: number; name?: string; mime?: string; sealed?: Uint8Array }
  | { op: 'chunk'; id: number; index: number; bytes: Uint8Array }
  | { op: 'end'; id: number; chunks: number; size: number }
  | { op: 'cancel'; id: number; error: WireError }
  | { op: 'stop'; id: number };

/** One of {@link StreamFrame}'s operations. */
export type StreamOp = StreamFrame['op'];

/** Longest file name a stream's `open` may carry, in characters. */
export const MAX_STREAM_NAME_LENGTH = 255;
/** Longest MIME type a stream's `open` may carry, in characters. */
export const MAX_STREAM_MIME_LENGTH = 128;
/**
 * Bytes a chunk frame adds around its bytes, at most (map, stream ID, operation, index, binary
 * header), so a sender knows how much of a message a chunk may fill.
 */
export const STREAM_CHUNK_OVERHEAD = 40;

const OPS: readonly StreamOp[] = ['open', 'chunk', 'end', 'cancel', 'stop'];

// Short keys, as in envelopes: i stream ID, o operation, n chunk index or count, b bytes,
// z size, nm name, mt MIME type, e error, x the open's size, name and MIME type end-to-end
// encrypted (the server forwards it unread; see e2ee/).
interface StreamWire {
  i: number;
  o: number;
  n?: number;
  b?: Uint8Array;
  z?: number;
  nm?: string;
  mt?: string;
  e?: WireError;
  x?: Uint8Array;
}

/** Encodes a stream frame as an envelope's `data`. */
export function encodeStreamFrame(frame: StreamFrame): Uint8Array {
  return encode(streamFrameWire(frame));
}

/** A stream frame as the map that goes on the wire (what {@link readStreamFrame} reads back). */
export function streamFrameWire(frame: StreamFrame): unknown {
  const wire: StreamWire = { i: frame.id, o: OPS.indexOf(frame.op) };
  switch (frame.op) {
    case 'open':
      if (frame.size !== undefined) wire.z = frame.size;
      if (frame.name !== undefined) wire.nm = frame.name;
      if (frame.mime !== undefined) wire.mt = frame.mime;
      if (frame.sealed !== undefined) wire.x = frame.sealed;
      break;
    case 'chunk':
      wire.n = frame.index;
      wire.b = frame.bytes;
      break;
    case 'end':
      wire.n = frame.chunks;
      wire.z = frame.size;
      break;
    case 'cancel':
      wire.e = frame.error;
      break;
    case 'stop':
      break;
  }
  return wire;
}

/** Decodes and validates a stream frame; throws {@link ProtocolError} `MALFORMED`. */
export function decodeStreamFrame(bytes: Uint8Array): StreamFrame {
  return readStreamFrame(decode(bytes));
}

/**
 * Validates a stream frame already decoded (a delivered envelope's payload arrives decoded with
 * its header); throws {@link ProtocolError} `MALFORMED`.
 */
export function readStreamFrame(value: unknown): StreamFrame {
  const wire = value as Partial<StreamWire> | null;
  if (typeof wire !== 'object' || wire === null) malformed('stream frame is not a map');
  const id = count(wire.i, 'stream id');
  if (id === 0) malformed('stream id must be positive');
  const op = OPS[wire.o as number];
  if (!Number.isInteger(wire.o) || op === undefined) malformed(`unknown stream operation ${String(wire.o)}`);
  switch (op) {
    case 'open': {
      const frame: StreamFrame = { op, id };
      if (wire.z !== undefined) frame.size = count(wire.z, 'size');
      if (wire.nm !== undefined) frame.name = text(wire.nm, 'name', MAX_STREAM_NAME_LENGTH);
      if (wire.mt !== undefined) frame.mime = text(wire.mt, 'mime', MAX_STREAM_MIME_LENGTH);
      if (wire.x !== undefined) {
        if (!(wire.x instanceof Uint8Array)) malformed('sealed stream metadata must be binary');
        frame.sealed = wire.x;
      }
      return frame;
    }
    case 'chunk':
      if (!(wire.b instanceof Uint8Array) || wire.b.byteLength === 0) malformed('a chunk needs non-empty binary bytes');
      return { op, id, index: count(wire.n, 'chunk index'), bytes: wire.b };
    case 'end':
      return { op, id, chunks: count(wire.n, 'chunk count'), size: count(wire.z, 'size') };
    case 'cancel':
      return { op, id, error: wireError(wire.e) };
    case 'stop':
      return { op, id };
  }
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) malformed(`${what} must be a non-negative integer`);
  return value as number;
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) malformed(`${what} must be a string of at most ${max} characters`);
  return value;
}

function wireError(value: unknown): WireError {
  const error = value as Partial<WireError> | null | undefined;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || typeof error.message !== 'string') {
    malformed('a cancel needs an error with a code and a message');
  }
  return { code: error.code as ErrorCode, message: error.message.slice(0, 512) };
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
