import { ProtocolError } from './error-codes.js';
import { MAX_PAYLOAD_DEPTH } from './value-bounds.js';

// Values are written into a shared pool and handed out as views of it, so a small frame costs
// no allocation of its own; a value that does not fit moves to a fresh pool (views handed out
// before keep the old one alive until they are dropped).
const POOL_BYTES = 64 * 1024;
let pool = new Uint8Array(POOL_BYTES);
let view = new DataView(pool.buffer);
let start = 0;
let pos = 0;

const utf8 = new TextEncoder();

/**
 * Encodes a value as standard MessagePack: maps for objects (fields set to `undefined` or to a
 * function left out, as JSON does), the smallest integer format for integers up to 32 bits,
 * float64 for other numbers, `bin` for bytes (any typed array, DataView or ArrayBuffer), the
 * timestamp extension for dates, int64 for bigints. No format of any one library, so peers in
 * other languages read every frame. Throws {@link ProtocolError} `MALFORMED` for what MessagePack
 * cannot carry (a symbol, a bigint beyond 64 bits, nesting deeper than
 * {@link MAX_PAYLOAD_DEPTH} levels: a cycle).
 */
export function encodeValue(value: unknown): Uint8Array {
  if (pool.length - pos < 64) newPool(64);
  start = pos;
  try {
    write(value, 0);
  } catch (error) {
    pos = start;
    throw error;
  }
  return pool.subarray(start, pos);
}

/** Makes room for `bytes` more bytes, moving the value written so far to a new pool if needed. */
function reserve(bytes: number): void {
  if (pos + bytes > pool.length) newPool(bytes);
}

function newPool(bytes: number): void {
  const written = pos - start;
  const next = new Uint8Array(Math.max(POOL_BYTES, 2 * (written + bytes)));
  next.set(pool.subarray(start, pos));
  pool = next;
  view = new DataView(next.buffer);
  start = 0;
  pos = written;
}

function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      reserve(1);
      pool[pos++] = value ? 0xc3 : 0xc2;
      return;
    case 'object':
      if (value === null) return writeNil();
      return writeObject(value, depth);
    case 'bigint':
      return writeBigInt(value);
    case 'undefined':
    case 'function':
      return writeNil();
    default:
      throw new ProtocolError('MALFORMED', `a ${typeof value} cannot be sent as MessagePack`);
  }
}

function writeNil(): void {
  reserve(1);
  pool[pos++] = 0xc0;
}

function writeNumber(value: number): void {
  reserve(9);
  if (Number.isInteger(value) && value <= 0xffffffff && value >= -0x80000000) {
    if (value >= 0) {
      if (value < 0x80) pool[pos++] = value;
      else if (value < 0x100) writeTyped(0xcc, value, 1);
      else writeTyped(value < 0x10000 ? 0xcd : 0xce, value, value < 0x10000 ? 2 : 4);
    } else if (value >= -0x20) pool[pos++] = value & 0xff;
    else if (value >= -0x80) writeTyped(0xd0, value, 1);
    else writeTyped(value >= -0x8000 ? 0xd1 : 0xd2, value, value >= -0x8000 ? 2 : 4);
    return;
  }
  pool[pos++] = 0xcb;
  view.setFloat64(pos, value);
  pos += 8;
}

/** A type byte, then `value`'s low `width` bytes, big-endian (two's complement for negatives). */
function writeTyped(type: number, value: number, width: 1 | 2 | 4): void {
  pool[pos++] = type;
  for (let shift = 8 * (width - 1); shift >= 0; shift -= 8) pool[pos++] = (value >>> shift) & 0xff;
}

function writeBigInt(value: bigint): void {
  reserve(9);
  if (value >= 0n && value <= 0xffffffffffffffffn) {
    pool[pos++] = 0xcf;
    view.setBigUint64(pos, value);
  } else if (value < 0n && value >= -0x8000000000000000n) {
    pool[pos++] = 0xd3;
    view.setBigInt64(pos, value);
  } else {
    throw new ProtocolError('MALFORMED', `the bigint ${value} does not fit MessagePack's 64-bit integers`);
  }
  pos += 8;
}

function headerSize(byteLength: number): number {
  return byteLength < 0x20 ? 1 : byteLength < 0x100 ? 2 : byteLength < 0x10000 ? 3 : 5;
}

function writeString(value: string): void {
  const length = value.length;
  // At most 3 bytes per UTF-16 unit. The header is placed for the shortest the string can be
  // (all ASCII) and the bytes moved on in the rare case that a longer header is needed.
  reserve(5 + 3 * length);
  const assumed = headerSize(length);
  const at = pos;
  let p = at + assumed;
  if (length < 64) {
    for (let i = 0; i < length; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) pool[p++] = c;
      else if (c < 0x800) {
        pool[p++] = 0xc0 | (c >> 6);
        pool[p++] = 0x80 | (c & 0x3f);
      } else {
        const next = value.charCodeAt(i + 1);
        if ((c & 0xfc00) === 0xd800 && (next & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c & 0x3ff) << 10) + (next & 0x3ff);
          i++;
          pool[p++] = 0xf0 | (c >> 18);
          pool[p++] = 0x80 | ((c >> 12) & 0x3f);
        } else {
          // A lone surrogate is written as U+FFFD, as TextEncoder writes it.
          if ((c & 0xf800) === 0xd800) c = 0xfffd;
          pool[p++] = 0xe0 | (c >> 12);
        }
        pool[p++] = 0x80 | ((c >> 6) & 0x3f);
        pool[p++] = 0x80 | (c & 0x3f);
      }
    }
  } else {
    p += utf8.encodeInto(value, pool.subarray(p)).written;
  }
  const byteLength = p - at - assumed;
  const needed = headerSize(byteLength);
  if (needed !== assumed) pool.copyWithin(at + needed, at + assumed, p);
  pos = at;
  writeLengthHeader(byteLength, 0xa0, 0xd9);
  pos += byteLength;
}

/** A `str` (first = 0xd9) or `bin` (first = 0xc4) header; `fix` is the fixstr base, or -1. */
function writeLengthHeader(length: number, fix: number, first: number): void {
  if (fix >= 0 && length < 0x20) pool[pos++] = fix | length;
  else if (length < 0x100) writeTyped(first, length, 1);
  else if (length < 0x10000) writeTyped(first + 1, length, 2);
  else writeTyped(first + 2, length, 4);
}

function writeBytes(bytes: Uint8Array): void {
  reserve(5 + bytes.byteLength);
  writeLengthHeader(bytes.byteLength, -1, 0xc4);
  pool.set(bytes, pos);
  pos += bytes.byteLength;
}

function writeObject(value: object, depth: number): void {
  if (depth === MAX_PAYLOAD_DEPTH) {
    throw new ProtocolError('MALFORMED', `a value nested deeper than ${MAX_PAYLOAD_DEPTH} levels (a cycle?) cannot be sent`);
  }
  if (Array.isArray(value)) return writeArray(value, depth + 1);
  if (value instanceof Uint8Array) return writeBytes(value);
  if (ArrayBuffer.isView(value)) return writeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof ArrayBuffer) return writeBytes(new Uint8Array(value));
  if (value instanceof Date) return writeDate(value);
  if (value instanceof Map) return writeMap(value, depth + 1);
  if (value instanceof Set) return writeArray([...value], depth + 1);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const at = openMap(keys.length);
  let count = 0;
  for (const key of keys) {
    const field = record[key];
    if (field === undefined || typeof field === 'function') continue;
    writeString(key);
    write(field, depth + 1);
    count++;
  }
  closeMap(at, keys.length, count);
}

function writeMap(map: Map<unknown, unknown>, depth: number): void {
  const at = openMap(map.size);
  let count = 0;
  for (const [key, field] of map) {
    if (field === undefined || typeof field === 'function') continue;
    write(key, depth);
    write(field, depth);
    count++;
  }
  closeMap(at, map.size, count);
}

/**
 * Reserves a map header sized for `most` entries; entries left out make the count smaller, and
 * the header is written once it is known. Returns the header's place relative to the value's
 * start, which stays valid if the value moves to a new pool.
 */
function openMap(most: number): number {
  reserve(5);
  const at = pos - start;
  pos += most < 0x10 ? 1 : most < 0x10000 ? 3 : 5;
  return at;
}

function closeMap(at: number, most: number, count: number): void {
  const p = start + at;
  if (most < 0x10) pool[p] = 0x80 | count;
  else if (most < 0x10000) {
    pool[p] = 0xde;
    view.setUint16(p + 1, count);
  } else {
    pool[p] = 0xdf;
    view.setUint32(p + 1, count);
  }
}

function writeArray(items: readonly unknown[], depth: number): void {
  const length = items.length;
  reserve(5);
  if (length < 0x10) pool[pos++] = 0x90 | length;
  else if (length < 0x10000) writeTyped(0xdc, length, 2);
  else writeTyped(0xdd, length, 4);
  for (let i = 0; i < length; i++) write(items[i], depth);
}

/** The timestamp extension (type -1) in its smallest form: 32, 64 or 96 bits. */
function writeDate(date: Date): void {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new ProtocolError('MALFORMED', 'an invalid Date cannot be sent');
  const seconds = Math.floor(ms / 1000);
  const nanoseconds = (ms - seconds * 1000) * 1e6;
  reserve(15);
  if (nanoseconds === 0 && seconds >= 0 && seconds <= 0xffffffff) {
    pool[pos++] = 0xd6;
    pool[pos++] = 0xff;
    view.setUint32(pos, seconds);
    pos += 4;
  } else if (seconds >= 0 && seconds < 2 ** 34) {
    pool[pos++] = 0xd7;
    pool[pos++] = 0xff;
    // 30 bits of nanoseconds, then 34 bits of seconds.
    view.setUint32(pos, nanoseconds * 4 + Math.floor(seconds / 2 ** 32));
    view.setUint32(pos + 4, seconds >>> 0);
    pos += 8;
  } else {
    pool[pos++] = 0xc7;
    pool[pos++] = 12;
    pool[pos++] = 0xff;
    view.setUint32(pos, nanoseconds);
    view.setBigInt64(pos + 4, BigInt(seconds));
    pos += 12;
  }
}
